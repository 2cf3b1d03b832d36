import type { RareCharIndex } from "../../shared/rare-chars/lookup.js";
import { t } from "../lib/i18n.js";
import { CharGrid } from "./CharGrid.js";
import { StrokeList } from "./StrokeList.js";

interface CharacterChooserProps {
  index: RareCharIndex;
  radical: string;
  residual: number | null;
  codePoint: number | null;
  onResidual(residual: number): void;
  onCodePoint(codePoint: number): void;
  onConfirm(codePoint: number): void;
  onChangeRadical(): void;
}

/** 录入生僻字 once the radical is chosen: stroke counts on the left, their characters on the right. */
export function CharacterChooser(props: CharacterChooserProps) {
  const { index, radical, residual } = props;
  const chosen = index.radical(radical);
  return (
    <div class="rare-chooser">
      <div class="rare-chooser-head">
        <span data-testid="rare-char-radical-chosen">
          {t("rareCharRadicalChosen", chosen?.char ?? radical, chosen?.strokes ?? "")}
        </span>
        <button
          type="button"
          class="button button--link"
          data-testid="rare-char-change-radical"
          onClick={props.onChangeRadical}
        >
          {t("rareCharChangeRadical")}
        </button>
      </div>
      <div class="rare-columns">
        <StrokeList residuals={index.residualStrokes(radical)} selected={residual} onSelect={props.onResidual} />
        {residual === null ? (
          <p class="rare-hint rare-hint--pane">{t("rareCharPickStrokes")}</p>
        ) : (
          <CharGrid
            codePoints={index.lookup(radical, residual)}
            selected={props.codePoint}
            onSelect={props.onCodePoint}
            onConfirm={props.onConfirm}
          />
        )}
      </div>
    </div>
  );
}
