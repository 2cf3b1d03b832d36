import "./CaptchaField.css";
import { t } from "../lib/i18n.js";
import type { CaptchaState } from "../lib/use-captcha.js";
import type { FieldState } from "../lib/use-field.js";
import { TextField } from "./TextField.js";

/** 验证码: the picture from the companion; clicking it or 看不清？换一张 fetches a new one. */
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
        <>
          <button
            type="button"
            class="captcha-image"
            data-testid="captcha-refresh"
            title={t("captchaRefresh")}
            // While the picture loads, its visible 加载中… names the button.
            aria-label={captcha.imageUrl ? t("captchaRefresh") : undefined}
            onClick={refresh}
          >
            {captcha.imageUrl ? (
              <img src={captcha.imageUrl} alt={t("fieldCaptcha")} data-testid="captcha-image" width={102} height={34} />
            ) : (
              <span>{t("captchaLoading")}</span>
            )}
          </button>
          <button type="button" class="button button--link captcha-next" data-testid="captcha-next" onClick={refresh}>
            {t("captchaNext")}
          </button>
        </>
      }
    />
  );
}
