import { useState } from "preact/hooks";
import { KeyboardIcon } from "../../components/KeyboardIcon.js";
import { SoftKeyboard } from "../../components/SoftKeyboard.js";
import { TextField } from "../../components/TextField.js";
import { t } from "../../lib/i18n.js";
import type { FieldState } from "../../lib/use-field.js";

/**
 * 密码 typed on the soft keyboard (on by default); 【关闭】 or the keyboard icon switches it off.
 * Keys typed on the physical keyboard meanwhile go nowhere: the field says how to switch.
 */
export function PasswordField({ field }: { field: FieldState }) {
  const [keyboardOn, setKeyboardOnState] = useState(true);
  const [typedPhysically, setTypedPhysically] = useState(false);
  const setKeyboardOn = (on: boolean) => {
    setKeyboardOnState(on);
    setTypedPhysically(false);
  };
  return (
    <>
      <TextField
        id="password"
        type="password"
        label={t("fieldPassword")}
        field={field}
        autoComplete="current-password"
        readOnly={keyboardOn}
        placeholder={keyboardOn ? t("passwordPlaceholderSoft") : t("passwordPlaceholder")}
        onKeyDown={(event) => {
          const printable = event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey;
          if (keyboardOn && printable) setTypedPhysically(true);
        }}
        hint={
          keyboardOn && typedPhysically ? (
            <p class="field-hint field-hint--warn" role="status" data-testid="soft-keyboard-typing-hint">
              {t("softKeyboardTypingHint")}
            </p>
          ) : null
        }
        addon={
          <button
            type="button"
            class={keyboardOn ? "icon-button icon-button--on" : "icon-button"}
            data-testid="soft-keyboard-toggle"
            aria-pressed={keyboardOn}
            title={keyboardOn ? t("softKeyboardClose") : t("softKeyboardOpen")}
            aria-label={keyboardOn ? t("softKeyboardClose") : t("softKeyboardOpen")}
            onClick={() => setKeyboardOn(!keyboardOn)}
          >
            <KeyboardIcon />
          </button>
        }
      />
      {keyboardOn ? (
        <SoftKeyboard
          empty={field.value === ""}
          onKey={(char) => field.set((value) => value + char)}
          onBackspace={() => field.set((value) => [...value].slice(0, -1).join(""))}
          onClear={() => field.set("")}
          onClose={() => setKeyboardOn(false)}
        />
      ) : null}
    </>
  );
}
