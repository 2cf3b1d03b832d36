import { useEffect, useState } from "preact/hooks";
import { CaptchaField } from "../../components/CaptchaField.js";
import { FormError } from "../../components/FormError.js";
import { TextField } from "../../components/TextField.js";
import { checkWith } from "../../lib/check-with.js";
import type { PersonSummary } from "../../lib/companion-client.js";
import { CompanionError } from "../../lib/companion-error.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { loadCompanion, once, useLoaded } from "../../lib/lazy.js";
import { openForgotPassword, openRegister } from "../../lib/tabs.js";
import { useAction } from "../../lib/use-action.js";
import { captchaNeededAfter, useCaptcha } from "../../lib/use-captcha.js";
import { applyFieldErrors, useField, validateAll } from "../../lib/use-field.js";
import { PasswordField } from "./PasswordField.js";

/**
 * The shared login rules (zod), loaded after the form is shown. Until they are there (the first
 * few ms) a field shows no live problem; a submit then meets the companion's own check.
 */
const loadChecks = once(async () => {
  const { loginRequestSchema } = await import("../../../shared/api/accounts.js");
  return {
    account: checkWith(loginRequestSchema.shape.account),
    password: checkWith(loginRequestSchema.shape.password),
  };
});

/** 账号密码登录: account + password (soft keyboard), a captcha after a wrong password. */
export function LoginForm({
  notice,
  onLoggedIn,
}: {
  notice: string | null;
  /** `passwordChangeRequired`: the password was a one-time one from the hall, to be changed first. */
  onLoggedIn(person: PersonSummary, passwordChangeRequired: boolean): void;
}) {
  const checks = useLoaded(loadChecks);
  const account = useField("", checks?.account);
  const password = useField("", checks?.password);
  const captchaAnswer = useField("", (v) => (v.trim() ? null : t("captchaRequired")));
  const [captchaNeeded, setCaptchaNeeded] = useState(false);
  const captcha = useCaptcha(captchaNeeded);
  const login = useAction(
    async () => {
      const withCaptcha = captchaNeeded && captcha.captchaId;
      const companion = await loadCompanion();
      const result = await companion.login({
        account: account.value.trim(),
        password: password.value,
        ...(withCaptcha ? { captchaId: captcha.captchaId ?? "", captchaAnswer: captchaAnswer.value.trim() } : {}),
      });
      onLoggedIn(result.person, result.passwordChangeRequired);
    },
    {
      initialError: notice,
      onError: (err) => {
        const body = err instanceof CompanionError ? err.body : null;
        // A captcha answers once: after any refusal the next try needs a fresh picture.
        if (captchaNeeded) captcha.refresh();
        setCaptchaNeeded(captchaNeededAfter(body, captchaNeeded));
        captchaAnswer.reset();
        if (body?.code === "LOGIN_FAILED" || body?.code === "ACCOUNT_LOCKED") password.reset();
        if (body?.code === "CAPTCHA_INVALID" || body?.code === "CAPTCHA_REQUIRED") captchaAnswer.fail(body.message);
        else if (!applyFieldErrors({ account, password, captchaAnswer }, fieldErrors(err))) return describeError(err);
        return null;
      },
    },
  );
  // A notice may come after the form is shown (the background health check found no companion of ours).
  useEffect(() => {
    if (notice) login.setError(notice);
  }, [notice]);

  const submit = (event: Event) => {
    event.preventDefault();
    if (validateAll(captchaNeeded ? [account, password, captchaAnswer] : [account, password])) void login.run();
  };

  return (
    <form class="login-form" onSubmit={submit} noValidate>
      <TextField
        id="account"
        label={t("fieldAccount")}
        field={account}
        placeholder={t("accountPlaceholder")}
        hint={
          <p class="field-hint" data-testid="account-hint">
            {t("accountHint")}
          </p>
        }
        autoComplete="username"
        maxLength={64}
      />
      <PasswordField field={password} />
      {captchaNeeded ? <CaptchaField captcha={captcha} field={captchaAnswer} /> : null}
      <FormError message={login.error} testId="login-error" />
      <button
        type="submit"
        class="button button--primary button--block"
        data-testid="login-submit"
        disabled={login.busy}
      >
        {login.busy ? t("loggingIn") : t("login")}
      </button>
      <div class="login-links">
        <button type="button" class="button button--link" data-testid="open-register" onClick={openRegister}>
          {t("register")}
        </button>
        <button
          type="button"
          class="button button--link"
          data-testid="open-forgot-password"
          onClick={openForgotPassword}
        >
          {t("forgotPassword")}
        </button>
      </div>
    </form>
  );
}
