import "./RareCharDialog.css";
import { useState } from "preact/hooks";
import { loadRareCharIndex } from "../../shared/rare-chars/lookup.js";
import { t } from "../lib/i18n.js";
import { useResource } from "../lib/use-resource.js";
import { CharacterChooser } from "./CharacterChooser.js";
import { Dialog } from "./Dialog.js";
import { RadicalPicker } from "./RadicalPicker.js";
import { RareCharChosen } from "./RareCharChosen.js";

interface RareCharDialogProps {
  /** 确定 with a character chosen. */
  onConfirm(char: string): void;
  onClose(): void;
}

/**
 * 【录入生僻字】, for names with characters no input method here can type: the radical (by its own
 * stroke count), then the stroke count besides it in the left column, then the character, then
 * 确定. The index loads on first opening.
 */
export function RareCharDialog({ onConfirm, onClose }: RareCharDialogProps) {
  const index = useResource(loadRareCharIndex, []);
  const [radical, setRadical] = useState<string | null>(null);
  const [choosingRadical, setChoosingRadical] = useState(true);
  const [residual, setResidual] = useState<number | null>(null);
  const [codePoint, setCodePoint] = useState<number | null>(null);

  const chooseRadical = (key: string) => {
    if (key !== radical) {
      setResidual(null);
      setCodePoint(null);
    }
    setRadical(key);
    setChoosingRadical(false);
  };
  const confirm = (chosen: number | null) => {
    if (chosen !== null) onConfirm(String.fromCodePoint(chosen));
  };

  return (
    <Dialog title={t("rareCharTitle")} testId="rare-char-dialog" onClose={onClose} wide>
      {index.data === null ? (
        <p class={index.error ? "form-error" : "rare-hint"} data-testid="rare-char-status">
          {index.error ? t("rareCharLoadFailed") : t("rareCharLoading")}
        </p>
      ) : choosingRadical || radical === null ? (
        <RadicalPicker groups={index.data.groups} selected={radical} onSelect={chooseRadical} />
      ) : (
        <CharacterChooser
          index={index.data}
          radical={radical}
          residual={residual}
          codePoint={codePoint}
          onResidual={(n) => {
            setResidual(n);
            setCodePoint(null);
          }}
          onCodePoint={setCodePoint}
          onConfirm={confirm}
          onChangeRadical={() => setChoosingRadical(true)}
        />
      )}
      <div class="rare-footer">
        <RareCharChosen codePoint={codePoint} />
        <div class="dialog-actions">
          <button type="button" class="button button--secondary" data-testid="rare-char-cancel" onClick={onClose}>
            {t("cancel")}
          </button>
          <button
            type="button"
            class="button button--primary"
            data-testid="rare-char-confirm"
            disabled={codePoint === null}
            onClick={() => confirm(codePoint)}
          >
            {t("confirm")}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
