import { CaptchaField } from "../../components/CaptchaField.js";
import { FormError } from "../../components/FormError.js";
import { IdentityFields, identityValues, useIdentityFields } from "../../components/IdentityFields.js";
import { CompanionError, companion, type ForgotStartResponse } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { useCaptcha } from "../../lib/use-captcha.js";
import { applyFieldErrors, useField, validateAll } from "../../lib/use-field.js";

/** Who forgot: 证件类型, 证件号码, 姓名 and a captcha; the companion texts a code to the bound phone. */
export function IdentityStep({
  notice,
  onStarted,
}: {
  notice: string | null;
  onStarted(started: ForgotStartResponse): void;
}) {
  const identity = useIdentityFields();
  const captchaAnswer = useField("", (v) => (v.trim() ? null : t("captchaRequired")));
  const captcha = useCaptcha(true);
  const start = useAction(
    async () => {
      const started = await companion.forgotStart({
        ...identityValues(identity),
        captchaId: captcha.captchaId ?? "",
        captchaAnswer: captchaAnswer.value.trim(),
      });
      onStarted(started);
    },
    {
      initialError: notice,
      onError: (err) => {
        // The picture is used up whatever the outcome.
        captcha.refresh();
        captchaAnswer.reset();
        const code = err instanceof CompanionError ? err.code : null;
        const fields = { docNumber: identity.docNumber, name: identity.name, captchaAnswer };
        if (code === "CAPTCHA_INVALID" || code === "CAPTCHA_REQUIRED") captchaAnswer.fail(describeError(err));
        else if (!applyFieldErrors(fields, fieldErrors(err))) return describeError(err);
        return null;
      },
    },
  );

  const submit = (event: Event) => {
    event.preventDefault();
    if (validateAll([identity.docNumber, identity.name, captchaAnswer])) void start.run();
  };

  return (
    <form class="step-body form-grid" onSubmit={submit} noValidate>
      <IdentityFields identity={identity} />
      <CaptchaField captcha={captcha} field={captchaAnswer} />
      <FormError message={start.error} />
      {/* Where to go when this cannot work (no phone bound, or the phone lost), as the seed says. */}
      <p class="muted" data-testid="forgot-hall-hint">
        {t("forgotHallHint")}
      </p>
      <div class="actions actions--form">
        <button type="submit" class="button button--primary" data-testid="forgot-next" disabled={start.busy}>
          {t("next")}
        </button>
      </div>
    </form>
  );
}
