import { checkDeclarationPassword } from "../../../shared/api/declaration.js";
import type { NewPasswordPolicy } from "../../components/NewPasswordFields.js";
import { t } from "../../lib/i18n.js";
import type { FieldState } from "../../lib/use-field.js";

/**
 * The 申报密码 policy under the field, live while typing: the rule, what the value still breaks (the
 * field's own check, checkDeclarationPassword), or ✓. Once the field shows that as its error, the
 * hint goes back to the rule rather than say it twice.
 */
export function DeclarationPasswordHint({ field }: { field: FieldState }) {
  const [tone, text] =
    !field.value || field.error
      ? ["field-hint", t("declarationPolicy")]
      : field.problem
        ? ["field-hint policy--bad", field.problem]
        : ["field-hint policy--ok", t("declarationPolicyOk")];
  return (
    <p class={tone} aria-live="polite" data-testid="declaration-policy">
      {text}
    </p>
  );
}

/** The 申报密码 (checkDeclarationPassword, at most 20 characters), its confirmation required. */
export const declarationPasswordPolicy: NewPasswordPolicy = {
  check: checkDeclarationPassword,
  checkConfirm: (confirm, password) =>
    !confirm ? t("declarationConfirmRequired") : confirm === password ? null : t("declarationPasswordMismatch"),
  maxLength: 20,
  placeholder: "declarationPasswordPlaceholder",
  confirmLabel: "fieldConfirmDeclarationPassword",
  rules: (password) => <DeclarationPasswordHint field={password} />,
};
