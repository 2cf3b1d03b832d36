import { useLayoutEffect, useRef } from "preact/hooks";
import { formatCodePoint, type RadicalGroup } from "../../shared/rare-chars/lookup.js";
import { moveGridFocus } from "../lib/grid-keys.js";
import { t } from "../lib/i18n.js";

interface RadicalPickerProps {
  groups: readonly RadicalGroup[];
  /** The radical chosen before (when coming back to change it): it takes the focus. */
  selected: string | null;
  onSelect(key: string): void;
}

/** 录入生僻字, step 1: the 214 radicals and their simplified forms, in rows by their own stroke count. */
export function RadicalPicker({ groups, selected, onSelect }: RadicalPickerProps) {
  const ref = useRef<HTMLFieldSetElement>(null);
  const current = selected ?? groups[0]?.radicals[0]?.key;
  // In the task that shows the list (a plain effect waits a frame: a key pressed meanwhile is lost).
  useLayoutEffect(() => {
    ref.current?.querySelector<HTMLElement>('[tabindex="0"]')?.focus();
  }, []);
  return (
    <fieldset
      ref={ref}
      class="rare-radicals"
      data-testid="rare-char-radicals"
      aria-label={t("rareCharPickRadical")}
      onKeyDown={(event) => {
        if (ref.current && moveGridFocus(ref.current, event)) event.preventDefault();
      }}
    >
      <p class="rare-hint">{t("rareCharPickRadical")}</p>
      {groups.map((group) => (
        <div class="rare-radical-row" key={group.strokes}>
          <span class="rare-radical-strokes">{t("rareCharStrokeGroup", group.strokes)}</span>
          <div class="rare-radical-list">
            {group.radicals.map((radical) => (
              <button
                type="button"
                key={radical.key}
                class={radical.key === selected ? "rare-cell rare-cell--on" : "rare-cell"}
                data-grid-item
                data-testid="rare-char-radical"
                data-key={radical.key}
                tabIndex={radical.key === current ? 0 : -1}
                title={t(
                  "rareCharRadicalTitle",
                  radical.char,
                  radical.strokes,
                  formatCodePoint(radical.char.codePointAt(0)!),
                )}
                aria-pressed={radical.key === selected}
                onClick={() => onSelect(radical.key)}
              >
                {radical.char}
              </button>
            ))}
          </div>
        </div>
      ))}
    </fieldset>
  );
}
