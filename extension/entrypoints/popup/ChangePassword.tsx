import { useState } from "preact/hooks";
import { passwordChangeRequestSchema } from "../../../shared/api/accounts.js";
import { CaptchaField } from "../../components/CaptchaField.js";
import { FormError } from "../../components/FormError.js";
import { NewPasswordFields, useNewPassword } from "../../components/NewPasswordFields.js";
import { loginPasswordPolicy } from "../../components/PasswordRules.js";
import { TextField } from "../../components/TextField.js";
import { checkWith } from "../../lib/check-with.js";
import { CompanionError, companion, type PersonSummary } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { captchaNeededAfter, useCaptcha } from "../../lib/use-captcha.js";
import { applyFieldErrors, useField, validateAll } from "../../lib/use-field.js";

/**
 * 修改密码, the only thing a session opened with a one-time password from the tax hall may do: the
 * one-time password, then a new one by the registration rules (twice). 退出登录 leaves it for later.
 * Loaded only when needed, so its rules (zod) need not wait for the popup's first screen.
 */
export function ChangePassword({
  person,
  onChanged,
  onLoggedOut,
}: {
  person: PersonSummary;
  onChanged(): void;
  onLoggedOut(notice: string | null): void;
}) {
  const oldPassword = useField("", checkWith(passwordChangeRequestSchema.shape.oldPassword));
  const passwords = useNewPassword(loginPasswordPolicy);
  const captchaAnswer = useField("", (v) => (v.trim() ? null : t("captchaRequired")));
  const [captchaNeeded, setCaptchaNeeded] = useState(false);
  const captcha = useCaptcha(captchaNeeded);

  const change = useAction(
    async () => {
      const withCaptcha = captchaNeeded && captcha.captchaId;
      await companion.changePassword({
        oldPassword: oldPassword.value,
        newPassword: passwords.password.value,
        ...(withCaptcha ? { captchaId: captcha.captchaId ?? "", captchaAnswer: captchaAnswer.value.trim() } : {}),
      });
      onChanged();
    },
    {
      onError: (err) => {
        const body = err instanceof CompanionError ? err.body : null;
        // The session ended meanwhile (expired, or another reset at the hall): back to the login form.
        if (body?.code === "UNAUTHENTICATED") {
          onLoggedOut(t("sessionEnded"));
          return null;
        }
        if (captchaNeeded) captcha.refresh();
        setCaptchaNeeded(captchaNeededAfter(body, captchaNeeded));
        captchaAnswer.reset();
        if (body?.code === "OLD_PASSWORD_WRONG") oldPassword.fail(describeError(err));
        else if (body?.code === "CAPTCHA_INVALID" || body?.code === "CAPTCHA_REQUIRED")
          captchaAnswer.fail(body.message);
        else if (!applyFieldErrors({ oldPassword, newPassword: passwords.password }, fieldErrors(err)))
          return describeError(err);
        return null;
      },
    },
  );

  const logout = async () => {
    await companion.logout().catch(() => undefined);
    onLoggedOut(null);
  };

  const submit = (event: Event) => {
    event.preventDefault();
    const fields = [oldPassword, passwords.password, passwords.confirm];
    if (validateAll(captchaNeeded ? [...fields, captchaAnswer] : fields)) void change.run();
  };

  return (
    <section class="login" data-testid="change-password">
      <div class="login-head">
        <h2 class="login-title">{t("changePasswordTitle")}</h2>
        <span class="login-sep">·</span>
        <span class="login-tab">{person.maskedName}</span>
      </div>
      <p class="muted">{t("changePasswordIntro")}</p>
      <form class="login-form" onSubmit={submit} noValidate>
        <TextField
          id="oldPassword"
          type="password"
          label={t("fieldOldPassword")}
          field={oldPassword}
          placeholder={t("oldPasswordPlaceholder")}
          autoComplete="current-password"
          maxLength={64}
        />
        <NewPasswordFields id="newPassword" label={t("fieldNewPassword")} state={passwords} />
        {captchaNeeded ? <CaptchaField captcha={captcha} field={captchaAnswer} /> : null}
        <FormError message={change.error} testId="change-password-error" />
        <button
          type="submit"
          class="button button--primary button--block"
          data-testid="change-password-submit"
          disabled={change.busy}
        >
          {t("changePasswordSubmit")}
        </button>
        <div class="login-links">
          <button type="button" class="button button--link" data-testid="change-password-logout" onClick={logout}>
            {t("logout")}
          </button>
        </div>
      </form>
    </section>
  );
}
