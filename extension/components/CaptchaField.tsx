import "./CaptchaField.css";
import { t } from "../lib/i18n.js";
import type { CaptchaState } from "../lib/use-captcha.js";
import type { FieldState } from "../lib/use-field.js";
import { TextField } from "./TextField.js";

/** 验证码: the picture from the companion; clicking it fetches a new one. */
export function CaptchaField({ captcha, field }: { captcha: CaptchaState; field: FieldState }) {
  const refresh = () => {
    field.reset();
    captcha.refresh();
  };
  return (
    <TextField
      id="captchaAnswer"
      label={t("fieldCaptcha")}
      field={field}
      placeholder={t("fieldCaptchaPlaceholder")}
      maxLength={8}
      hint={captcha.loadError ? <p class="field-error">{captcha.loadError}</p> : null}
      addon={
        <button
          type="button"
          class="captcha-image"
          data-testid="captcha-refresh"
          title={t("captchaRefresh")}
          aria-label={t("captchaRefresh")}
          onClick={refresh}
        >
          {captcha.imageUrl ? (
            <img src={captcha.imageUrl} alt={t("fieldCaptcha")} data-testid="captcha-image" width={100} height={34} />
          ) : (
            <span>{t("captchaLoading")}</span>
          )}
        </button>
      }
    />
  );
}
