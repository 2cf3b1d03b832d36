import { useState } from "preact/hooks";
import { KeyboardIcon } from "../../components/KeyboardIcon.js";
import { SoftKeyboard } from "../../components/SoftKeyboard.js";
import { TextField } from "../../components/TextField.js";
import { t } from "../../lib/i18n.js";
import type { FieldState } from "../../lib/use-field.js";

/** 密码 typed on the soft keyboard (on by default); 【关闭】 or the keyboard icon switches it off. */
export function PasswordField({ field }: { field: FieldState }) {
  const [keyboardOn, setKeyboardOn] = useState(true);
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
          onKey={(char) => field.set((value) => value + char)}
          onBackspace={() => field.set((value) => [...value].slice(0, -1).join(""))}
          onClear={() => field.set("")}
          onClose={() => setKeyboardOn(false)}
        />
      ) : null}
    </>
  );
}
