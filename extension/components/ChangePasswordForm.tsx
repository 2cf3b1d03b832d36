import type { ComponentChildren } from "preact";
import { passwordChangeRequestSchema } from "../../shared/api/accounts.js";
import { checkWith } from "../lib/check-with.js";
import { CompanionError, companion } from "../lib/companion-client.js";
import { describeError, fieldErrors } from "../lib/describe-error.js";
import { type MessageKey, t } from "../lib/i18n.js";
import { useAction } from "../lib/use-action.js";
import { useCaptchaGate } from "../lib/use-captcha.js";
import { applyFieldErrors, useField, validateAll } from "../lib/use-field.js";
import { CaptchaField } from "./CaptchaField.js";
import { FormError } from "./FormError.js";
import { NewPasswordFields, useNewPassword } from "./NewPasswordFields.js";
import { loginPasswordPolicy } from "./PasswordRules.js";
import { TextField } from "./TextField.js";

interface ChangePasswordFormProps {
  /** The form's layout class: the popup's stacked form, or a full-tab page's form-grid. */
  formClass: string;
  submitClass: string;
  /** What the old password is called: the hall's one-time password, or the current one. */
  oldLabel: MessageKey;
  oldPlaceholder: MessageKey;
  onChanged(): void;
  /** The session ended meanwhile (expired, or a reset at the hall). */
  onSessionEnded(): void;
  /** Beside the submit button (a page's 取消). */
  actions?: ComponentChildren;
  /** Below the buttons (the popup's 退出登录). */
  children?: ComponentChildren;
}

/**
 * 修改密码: the old password, then a new one by the registration rules (twice); a captcha after a
 * wrong old password, which counts like a wrong login. The popup's after a hall reset and
 * 安全中心's. The companion ends the person's other sessions; this one stays.
 */
export function ChangePasswordForm(props: ChangePasswordFormProps) {
  const oldPassword = useField("", checkWith(passwordChangeRequestSchema.shape.oldPassword));
  const passwords = useNewPassword(loginPasswordPolicy);
  const gate = useCaptchaGate();

  const change = useAction(
    async () => {
      await companion.changePassword({
        oldPassword: oldPassword.value,
        newPassword: passwords.password.value,
        ...gate.answer(),
      });
      props.onChanged();
    },
    {
      onError: (err) => {
        const body = err instanceof CompanionError ? err.body : null;
        if (body?.code === "UNAUTHENTICATED") {
          props.onSessionEnded();
          return null;
        }
        if (gate.refused(body)) return null;
        if (body?.code === "OLD_PASSWORD_WRONG") oldPassword.fail(describeError(err));
        else if (!applyFieldErrors({ oldPassword, newPassword: passwords.password }, fieldErrors(err)))
          return describeError(err);
        return null;
      },
    },
  );

  const submit = (event: Event) => {
    event.preventDefault();
    const fields = [oldPassword, passwords.password, passwords.confirm];
    if (validateAll(gate.needed ? [...fields, gate.field] : fields)) void change.run();
  };

  return (
    <form class={props.formClass} onSubmit={submit} noValidate data-testid="change-password-form">
      <TextField
        id="oldPassword"
        type="password"
        label={t(props.oldLabel)}
        field={oldPassword}
        placeholder={t(props.oldPlaceholder)}
        autoComplete="current-password"
        maxLength={64}
      />
      <NewPasswordFields id="newPassword" label={t("fieldNewPassword")} state={passwords} />
      {gate.needed ? <CaptchaField captcha={gate.captcha} field={gate.field} /> : null}
      <FormError message={change.error} testId="change-password-error" />
      <div class="actions actions--form">
        <button type="submit" class={props.submitClass} data-testid="change-password-submit" disabled={change.busy}>
          {t("changePasswordSubmit")}
        </button>
        {props.actions}
      </div>
      {props.children}
    </form>
  );
}
