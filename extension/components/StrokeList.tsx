import { useLayoutEffect, useRef } from "preact/hooks";
import { moveGridFocus } from "../lib/grid-keys.js";
import { t } from "../lib/i18n.js";

interface StrokeListProps {
  /** Residual stroke counts under the chosen radical (a few start below 0: 王 is 玉 − 1). */
  residuals: readonly number[];
  selected: number | null;
  onSelect(residual: number): void;
}

/** 录入生僻字, step 2 (left column): the stroke count besides the radical. Takes the focus when shown. */
export function StrokeList({ residuals, selected, onSelect }: StrokeListProps) {
  const ref = useRef<HTMLFieldSetElement>(null);
  const current = selected ?? residuals[0];
  // In the task that shows the list (a plain effect waits a frame: a key pressed meanwhile is lost).
  useLayoutEffect(() => {
    ref.current?.querySelector<HTMLElement>('[tabindex="0"]')?.focus();
  }, []);
  return (
    <fieldset
      ref={ref}
      class="rare-strokes"
      data-testid="rare-char-strokes"
      aria-label={t("rareCharStrokesHint")}
      onKeyDown={(event) => {
        if (ref.current && moveGridFocus(ref.current, event)) event.preventDefault();
      }}
    >
      <p class="rare-strokes-head" title={t("rareCharStrokesHint")}>
        {t("rareCharStrokesHead")}
      </p>
      {residuals.map((residual) => (
        <button
          type="button"
          key={residual}
          class={residual === selected ? "rare-stroke rare-stroke--on" : "rare-stroke"}
          data-grid-item
          data-testid="rare-char-strokes-item"
          data-strokes={residual}
          tabIndex={residual === current ? 0 : -1}
          aria-pressed={residual === selected}
          onClick={() => onSelect(residual)}
        >
          {t("rareCharStrokeGroup", residual)}
        </button>
      ))}
    </fieldset>
  );
}
