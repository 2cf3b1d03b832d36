import { smsCodeSchema } from "../../../shared/api/accounts.js";
import { FormError } from "../../components/FormError.js";
import { NewPasswordFields, useNewPassword } from "../../components/NewPasswordFields.js";
import { loginPasswordPolicy } from "../../components/PasswordRules.js";
import { SmsCodeField } from "../../components/SmsCodeField.js";
import { checkWith } from "../../lib/check-with.js";
import { CompanionError, companion, type ForgotStartResponse } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { applyFieldErrors, useField, validateAll } from "../../lib/use-field.js";

interface ResetStepProps {
  started: ForgotStartResponse;
  onDone(): void;
  onTicketExpired(notice: string): void;
}

/** 短信验证码 (sent to the bound phone) + 新密码 + 确认密码 → 确定. */
export function ResetStep({ started, onDone, onTicketExpired }: ResetStepProps) {
  const smsCode = useField("", checkWith(smsCodeSchema));
  const passwords = useNewPassword(loginPasswordPolicy);

  const ticketExpired = (err: unknown) => err instanceof CompanionError && err.code === "RESET_TICKET_INVALID";

  const resend = async () => {
    try {
      return await companion.sendSms({ purpose: "reset-password", ticket: started.resetTicket });
    } catch (err) {
      if (ticketExpired(err)) onTicketExpired(describeError(err));
      throw err;
    }
  };

  const reset = useAction(
    async () => {
      await companion.forgotComplete({
        resetTicket: started.resetTicket,
        smsCode: smsCode.value.trim(),
        newPassword: passwords.password.value,
      });
      onDone();
    },
    {
      onError: (err) => {
        const code = err instanceof CompanionError ? err.code : null;
        const fields = { smsCode, newPassword: passwords.password };
        if (ticketExpired(err)) onTicketExpired(describeError(err));
        else if (code === "SMS_CODE_INVALID" || code === "SMS_CODE_LOCKED") smsCode.fail(describeError(err));
        else if (!applyFieldErrors(fields, fieldErrors(err))) return describeError(err);
        return null;
      },
    },
  );

  const submit = (event: Event) => {
    event.preventDefault();
    if (validateAll([smsCode, passwords.password, passwords.confirm])) void reset.run();
  };

  return (
    <form class="step-body form-grid" onSubmit={submit} noValidate>
      <SmsCodeField field={smsCode} send={resend} initialCooldown={started.resendAfter} sentByPreviousStep />
      <NewPasswordFields id="newPassword" label={t("fieldNewPassword")} state={passwords} />
      <FormError message={reset.error} />
      <div class="actions actions--form">
        <button type="submit" class="button button--primary" data-testid="forgot-submit" disabled={reset.busy}>
          {t("confirm")}
        </button>
      </div>
    </form>
  );
}
