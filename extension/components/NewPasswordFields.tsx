import type { ComponentChildren } from "preact";
import { type MessageKey, t } from "../lib/i18n.js";
import { type FieldState, useField } from "../lib/use-field.js";
import { TextField } from "./TextField.js";

/** A password policy as the new-password fields show it: the login password's, or the 申报密码's. */
export interface NewPasswordPolicy {
  /** The rule (a shared validator): what the value breaks, or null. */
  check(value: string): string | null;
  /** What the confirmation breaks, given the new password (empty, or not the same), or null. */
  checkConfirm(confirm: string, password: string): string | null;
  maxLength: number;
  placeholder: MessageKey;
  confirmLabel: MessageKey;
  /** The policy under the new password, live while typing. */
  rules(password: FieldState): ComponentChildren;
}

export interface NewPasswordState {
  policy: NewPasswordPolicy;
  password: FieldState;
  confirm: FieldState;
}

/** A new password and its confirmation, checked live by `policy`. */
export function useNewPassword(policy: NewPasswordPolicy): NewPasswordState {
  const password = useField("", policy.check);
  const confirm = useField("", (value) => policy.checkConfirm(value, password.value));
  return { policy, password, confirm };
}

/**
 * The new password (with its policy under it) and 确认密码. `id` is the new password's id and name,
 * as the companion's field errors name it.
 */
export function NewPasswordFields({ id, label, state }: { id: string; label: string; state: NewPasswordState }) {
  const { policy } = state;
  return (
    <>
      <TextField
        id={id}
        type="password"
        label={label}
        field={state.password}
        placeholder={t(policy.placeholder)}
        autoComplete="new-password"
        maxLength={policy.maxLength}
        hint={policy.rules(state.password)}
      />
      <TextField
        id="confirmPassword"
        type="password"
        label={t(policy.confirmLabel)}
        field={state.confirm}
        autoComplete="new-password"
        maxLength={policy.maxLength}
      />
    </>
  );
}
