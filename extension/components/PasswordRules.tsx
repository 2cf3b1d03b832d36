import "./PasswordRules.css";
import { checkPassword, passwordClasses } from "../../shared/identity/account-rules.js";
import { t } from "../lib/i18n.js";
import type { NewPasswordPolicy } from "./NewPasswordFields.js";

/** The password policy as a live checklist (the rule itself is checkPassword in shared/). */
export function PasswordRules({ value }: { value: string }) {
  const classes = passwordClasses(value);
  const count = Object.values(classes).filter(Boolean).length;
  const lengthOk = value.length >= 8 && value.length <= 15;
  const item = (ok: boolean, text: string) => <li class={ok ? "rule rule--ok" : "rule"}>{text}</li>;
  return (
    <ul class="password-rules" aria-live="polite">
      {item(lengthOk, t("passwordRuleLength"))}
      {item(count >= 3, t("passwordRuleClasses", count))}
      {item(!/\s/.test(value), t("passwordRuleNoSpace"))}
    </ul>
  );
}

/** The login password (注册, 忘记密码): checkPassword, at most 15 characters, the checklist above. */
export const loginPasswordPolicy: NewPasswordPolicy = {
  check: checkPassword,
  checkConfirm: (confirm, password) => (confirm === password ? null : t("passwordMismatch")),
  maxLength: 15,
  placeholder: "newPasswordPlaceholder",
  confirmLabel: "fieldConfirmPassword",
  rules: (password) => <PasswordRules value={password.value} />,
};
