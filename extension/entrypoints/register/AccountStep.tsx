import { smsCodeSchema } from "../../../shared/api/accounts.js";
import { checkLoginName, checkPhone } from "../../../shared/identity/account-rules.js";
import type { DocumentType } from "../../../shared/identity/documents.js";
import { FormError } from "../../components/FormError.js";
import { NewPasswordFields, useNewPassword } from "../../components/NewPasswordFields.js";
import { loginPasswordPolicy } from "../../components/PasswordRules.js";
import { SmsCodeField } from "../../components/SmsCodeField.js";
import { TextField } from "../../components/TextField.js";
import { checkWith } from "../../lib/check-with.js";
import { CompanionError, companion, type PersonSummary } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { applyFieldErrors, useField, validateAll } from "../../lib/use-field.js";

interface AccountStepProps {
  ticket: string;
  docType: DocumentType;
  onRegistered(person: PersonSummary): void;
  onTicketExpired(notice: string): void;
}

/** 设置登录名、密码、手机号码（短信校验）. */
export function AccountStep({ ticket, docType, onRegistered, onTicketExpired }: AccountStepProps) {
  const loginName = useField("", checkLoginName);
  const passwords = useNewPassword(loginPasswordPolicy);
  const phone = useField("", (v) => checkPhone(v.trim()));
  const smsCode = useField("", checkWith(smsCodeSchema));

  /** A refusal goes back to step 1 (ticket expired) or under its field; what is left, to the form. */
  const placeError = (err: unknown): string | null => {
    const code = err instanceof CompanionError ? err.code : null;
    const fields = { loginName, password: passwords.password, phone, smsCode };
    if (code === "REGISTRATION_TICKET_INVALID") onTicketExpired(describeError(err));
    else if (code === "LOGIN_NAME_TAKEN") loginName.fail(describeError(err));
    else if (code === "PHONE_TAKEN") phone.fail(describeError(err));
    else if (code === "SMS_CODE_INVALID" || code === "SMS_CODE_LOCKED") smsCode.fail(describeError(err));
    else if (!applyFieldErrors(fields, fieldErrors(err))) return describeError(err);
    return null;
  };

  const sendSms = async () => {
    try {
      return await companion.sendSms({ purpose: "register", ticket, phone: phone.value.trim() });
    } catch (err) {
      if (err instanceof CompanionError && err.code === "REGISTRATION_TICKET_INVALID") placeError(err);
      throw err;
    }
  };

  const register = useAction(
    async () => {
      const result = await companion.registerComplete({
        registrationTicket: ticket,
        loginName: loginName.value,
        password: passwords.password.value,
        phone: phone.value.trim(),
        smsCode: smsCode.value.trim(),
      });
      onRegistered(result.person);
    },
    { onError: placeError },
  );

  const submit = (event: Event) => {
    event.preventDefault();
    if (validateAll([loginName, passwords.password, passwords.confirm, phone, smsCode])) void register.run();
  };

  return (
    <form class="step-body form-grid" onSubmit={submit} noValidate>
      <p class="form-note">{t("registerAccountNote", docType)}</p>
      <TextField
        id="loginName"
        label={t("fieldLoginName")}
        field={loginName}
        placeholder={t("loginNamePlaceholder")}
        autoComplete="username"
        maxLength={16}
      />
      <NewPasswordFields id="password" label={t("fieldPassword")} state={passwords} />
      <TextField id="phone" type="tel" label={t("fieldPhone")} field={phone} inputMode="tel" maxLength={11} />
      <SmsCodeField
        field={smsCode}
        send={sendSms}
        canSend={() => {
          phone.touch();
          return phone.problem === null;
        }}
      />
      <FormError message={register.error} />
      <div class="actions actions--form">
        <button type="submit" class="button button--primary" data-testid="register-submit" disabled={register.busy}>
          {t("registerSubmit")}
        </button>
      </div>
    </form>
  );
}
