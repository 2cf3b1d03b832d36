import { smsCodeSchema } from "../../../shared/api/accounts.js";
import { FormError } from "../../components/FormError.js";
import { NewPasswordFields, useNewPassword } from "../../components/NewPasswordFields.js";
import { SmsCodeField } from "../../components/SmsCodeField.js";
import { checkWith } from "../../lib/check-with.js";
import { CompanionError, companion } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { applyFieldErrors, useField, validateAll } from "../../lib/use-field.js";
import { declarationPasswordPolicy } from "./DeclarationPasswordHint.js";

interface DeclarationResetFormProps {
  tin: string;
  unitName: string;
  /** The officer's bound phone, masked: where the code goes. */
  maskedPhone: string;
  onDone(): void;
}

/**
 * 申报密码重置页面: 新申报密码 and 确认申报密码 (checked live by the shared policy), then 获取验证码 to the
 * bound phone, then 【保存】.
 */
export function DeclarationResetForm({ tin, unitName, maskedPhone, onDone }: DeclarationResetFormProps) {
  const passwords = useNewPassword(declarationPasswordPolicy);
  const smsCode = useField("", checkWith(smsCodeSchema));

  const save = useAction(
    async () => {
      await companion.resetDeclarationPassword(tin, {
        newPassword: passwords.password.value,
        confirmPassword: passwords.confirm.value,
        smsCode: smsCode.value.trim(),
      });
      onDone();
    },
    {
      onError: (err) => {
        const code = err instanceof CompanionError ? err.code : null;
        const fields = { newPassword: passwords.password, confirmPassword: passwords.confirm, smsCode };
        if (code === "SMS_CODE_INVALID" || code === "SMS_CODE_LOCKED") smsCode.fail(describeError(err));
        else if (!applyFieldErrors(fields, fieldErrors(err))) return describeError(err);
        return null;
      },
    },
  );

  const submit = (event: Event) => {
    event.preventDefault();
    if (validateAll([passwords.password, passwords.confirm, smsCode])) void save.run();
  };

  return (
    <form class="step-body form-grid" onSubmit={submit} noValidate data-testid="declaration-reset-form">
      <p class="form-note">{t("declarationResetNote", unitName, tin, maskedPhone)}</p>
      <NewPasswordFields id="newPassword" label={t("fieldNewDeclarationPassword")} state={passwords} />
      <SmsCodeField
        field={smsCode}
        send={() => companion.declarationSms(tin)}
        canSend={() => validateAll([passwords.password, passwords.confirm])}
      />
      <FormError message={save.error} testId="declaration-reset-error" />
      <div class="actions actions--form">
        <button type="submit" class="button button--primary" data-testid="declaration-reset-save" disabled={save.busy}>
          {save.busy ? t("saving") : t("save")}
        </button>
      </div>
    </form>
  );
}
