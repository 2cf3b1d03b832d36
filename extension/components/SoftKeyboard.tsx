import { useEffect, useState } from "preact/hooks";
import { t } from "../lib/i18n.js";

const DIGITS = "1234567890";
const LETTER_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
/** The 32 printable ASCII punctuation characters, the password policy's 特殊字符. */
const SYMBOL_ROWS = ["!@#$%^&*()", "-_=+[]{}\\|", ";:'\",.<>/?", "`~"];

interface SoftKeyboardProps {
  /** The password is empty (cleared, or refused and emptied): the keyboard starts over on letters. */
  empty: boolean;
  onKey(char: string): void;
  onBackspace(): void;
  onClear(): void;
  onClose(): void;
}

/** 软键盘: the password is typed by clicking keys; letters with shift, digits and symbols. */
export function SoftKeyboard({ empty, onKey, onBackspace, onClear, onClose }: SoftKeyboardProps) {
  const [shift, setShift] = useState(false);
  const [symbols, setSymbols] = useState(false);
  useEffect(() => {
    if (empty) {
      setShift(false);
      setSymbols(false);
    }
  }, [empty]);

  const key = (char: string) => (
    <button
      type="button"
      key={char}
      class="soft-key"
      data-testid="soft-key"
      data-key={char}
      aria-label={char}
      // Keep focus where it is; the keyboard only feeds the password.
      onMouseDown={(event) => event.preventDefault()}
      onClick={() => onKey(char)}
    >
      {char}
    </button>
  );
  const letters = (row: string) => [...(shift ? row.toUpperCase() : row)].map(key);
  const special = (testId: string, label: string, onClick: () => void, extra = "", pressed?: boolean) => (
    <button
      type="button"
      class={`soft-key soft-key--wide ${extra}`}
      data-testid={testId}
      aria-pressed={pressed}
      onMouseDown={(event) => event.preventDefault()}
      onClick={onClick}
    >
      {label}
    </button>
  );
  const backspace = special("soft-key-backspace", t("softKeyBackspace"), onBackspace);

  return (
    <fieldset class="soft-keyboard" aria-label={t("softKeyboard")} data-testid="soft-keyboard">
      <div class="soft-row">{[...DIGITS].map(key)}</div>
      {symbols ? (
        <>
          <div class="soft-row">{[...(SYMBOL_ROWS[0] ?? "")].map(key)}</div>
          <div class="soft-row">{[...(SYMBOL_ROWS[1] ?? "")].map(key)}</div>
          <div class="soft-row">{[...(SYMBOL_ROWS[2] ?? "")].map(key)}</div>
          <div class="soft-row">
            {[...(SYMBOL_ROWS[3] ?? "")].map(key)}
            {backspace}
          </div>
        </>
      ) : (
        <>
          <div class="soft-row">{letters(LETTER_ROWS[0] ?? "")}</div>
          <div class="soft-row">{letters(LETTER_ROWS[1] ?? "")}</div>
          <div class="soft-row">
            {special("soft-key-shift", t("softKeyShift"), () => setShift(!shift), shift ? "soft-key--on" : "", shift)}
            {letters(LETTER_ROWS[2] ?? "")}
            {backspace}
          </div>
        </>
      )}
      <div class="soft-row">
        {special("soft-key-symbols", symbols ? t("softKeyLetters") : t("softKeySymbols"), () => setSymbols(!symbols))}
        {special("soft-key-clear", t("softKeyClear"), onClear)}
        {special("soft-keyboard-close", t("softKeyboardClose"), onClose, "soft-key--close")}
      </div>
    </fieldset>
  );
}
