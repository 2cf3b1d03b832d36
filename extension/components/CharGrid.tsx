import { useMemo, useRef } from "preact/hooks";
import { formatCodePoint } from "../../shared/rare-chars/lookup.js";
import { glyphProbe } from "../lib/glyph-support.js";
import { moveGridFocus } from "../lib/grid-keys.js";
import { t } from "../lib/i18n.js";

interface CharGridProps {
  codePoints: readonly number[];
  selected: number | null;
  onSelect(codePoint: number): void;
  /** Double click: choose and confirm at once. */
  onConfirm(codePoint: number): void;
}

/**
 * 录入生僻字, step 3: the characters under the radical and stroke count. Each shows its code point
 * on hover; one the fonts here cannot draw shows its code point instead of an empty box, after
 * those drawn (a person looks for the shape they know).
 */
export function CharGrid({ codePoints: inIndexOrder, selected, onSelect, onConfirm }: CharGridProps) {
  const ref = useRef<HTMLFieldSetElement>(null);
  const drawable = useMemo(() => glyphProbe(getComputedStyle(document.body).fontFamily), []);
  const codePoints = useMemo(
    () => [...inIndexOrder.filter(drawable), ...inIndexOrder.filter((codePoint) => !drawable(codePoint))],
    [inIndexOrder, drawable],
  );
  const current = selected !== null && codePoints.includes(selected) ? selected : codePoints[0];
  return (
    <fieldset
      ref={ref}
      class="rare-chars"
      data-testid="rare-char-grid"
      onKeyDown={(event) => {
        if (ref.current && moveGridFocus(ref.current, event)) event.preventDefault();
      }}
    >
      {codePoints.map((codePoint) => {
        const char = String.fromCodePoint(codePoint);
        const code = formatCodePoint(codePoint);
        const visible = drawable(codePoint);
        return (
          <button
            type="button"
            key={codePoint}
            class={`rare-cell rare-cell--char${codePoint === selected ? " rare-cell--on" : ""}`}
            data-grid-item
            data-testid="rare-char"
            data-code-point={code}
            data-drawable={visible}
            tabIndex={codePoint === current ? 0 : -1}
            title={visible ? code : `${code} ${t("rareCharNoGlyph")}`}
            aria-label={`${char} ${code}`}
            aria-pressed={codePoint === selected}
            onClick={() => onSelect(codePoint)}
            onDblClick={() => onConfirm(codePoint)}
          >
            {visible ? char : <span class="rare-code">{code.slice(2)}</span>}
          </button>
        );
      })}
    </fieldset>
  );
}
