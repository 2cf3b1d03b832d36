import { smsCodeSchema } from "../../../shared/api/accounts.js";
import { bindPhoneRequestSchema } from "../../../shared/api/security.js";
import { checkPhone } from "../../../shared/identity/account-rules.js";
import { CaptchaField } from "../../components/CaptchaField.js";
import { FormError } from "../../components/FormError.js";
import { SmsCodeField } from "../../components/SmsCodeField.js";
import { TextField } from "../../components/TextField.js";
import { checkWith } from "../../lib/check-with.js";
import { CompanionError, companion } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { useCaptchaGate } from "../../lib/use-captcha.js";
import { applyFieldErrors, useField, validateAll } from "../../lib/use-field.js";

interface PhoneFormProps {
  /** The phone bound now (masked), which the new one replaces; null when binding a first one. */
  replacing: string | null;
  onBound(maskedPhone: string): void;
  onCancel(): void;
}

/**
 * 绑定手机 / 更换手机: the new number and the SMS code sent to it, and the login password (a session
 * left open is not enough to take the account over by its phone); a captcha after a wrong one.
 */
export function PhoneForm({ replacing, onBound, onCancel }: PhoneFormProps) {
  const phone = useField("", (v) => checkPhone(v.trim()));
  const smsCode = useField("", checkWith(smsCodeSchema));
  const password = useField("", checkWith(bindPhoneRequestSchema.shape.password));
  const gate = useCaptchaGate();

  const bind = useAction(
    async () => {
      const bound = await companion.bindPhone({
        phone: phone.value.trim(),
        smsCode: smsCode.value.trim(),
        password: password.value,
        ...gate.answer(),
      });
      onBound(bound.maskedPhone);
    },
    {
      onError: (err) => {
        const body = err instanceof CompanionError ? err.body : null;
        if (gate.refused(body)) return null;
        const code = body?.code;
        if (code === "PASSWORD_WRONG") password.fail(describeError(err));
        else if (code === "PHONE_TAKEN" || code === "PHONE_ALREADY_BOUND") phone.fail(describeError(err));
        else if (code === "SMS_CODE_INVALID" || code === "SMS_CODE_LOCKED") smsCode.fail(describeError(err));
        else if (!applyFieldErrors({ phone, smsCode, password }, fieldErrors(err))) return describeError(err);
        return null;
      },
    },
  );

  const submit = (event: Event) => {
    event.preventDefault();
    const fields = [phone, smsCode, password];
    if (validateAll(gate.needed ? [...fields, gate.field] : fields)) void bind.run();
  };

  return (
    <form class="form-grid security-form" onSubmit={submit} noValidate data-testid="security-phone-form">
      <p class="form-note">{replacing ? t("changePhoneNote", replacing) : t("bindPhoneNote")}</p>
      <TextField id="newPhone" type="tel" label={t("fieldNewPhone")} field={phone} inputMode="tel" maxLength={11} />
      <SmsCodeField
        field={smsCode}
        send={() => companion.bindPhoneSms(phone.value.trim())}
        canSend={() => {
          phone.touch();
          return phone.problem === null;
        }}
      />
      <TextField
        id="loginPassword"
        type="password"
        label={t("fieldLoginPassword")}
        field={password}
        placeholder={t("loginPasswordPlaceholder")}
        autoComplete="current-password"
        maxLength={64}
      />
      {gate.needed ? <CaptchaField captcha={gate.captcha} field={gate.field} /> : null}
      <FormError message={bind.error} testId="security-phone-error" />
      <div class="actions actions--form">
        <button type="submit" class="button button--primary" data-testid="security-phone-submit" disabled={bind.busy}>
          {replacing ? t("changePhone") : t("bindPhone")}
        </button>
        <button type="button" class="button button--secondary" data-testid="security-phone-cancel" onClick={onCancel}>
          {t("cancel")}
        </button>
      </div>
    </form>
  );
}
