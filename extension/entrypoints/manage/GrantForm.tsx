import { FormError } from "../../components/FormError.js";
import { IdentityFields, identityValues, useIdentityFields } from "../../components/IdentityFields.js";
import { TermFields, useTermFields } from "../../components/TermFields.js";
import { CompanionError, companion, type GrantView } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { todayInShanghai } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { applyFieldErrors, validateAll } from "../../lib/use-field.js";

interface GrantFormProps {
  tin: string;
  /** The viewer's own last date (a 管理权限 holder with a 定期 grant), else null. */
  limit: string | null;
  onCreated(grant: GrantView): void;
}

/** 新增授权: the grantee (证件类型, 证件号码, 姓名 of a registered person), 权限类型 and 授权期限. */
export function GrantForm({ tin, limit, onCreated }: GrantFormProps) {
  const identity = useIdentityFields();
  const term = useTermFields(
    { permission: "办税权限", termType: "长期", startDate: todayInShanghai(), endDate: null },
    limit,
  );
  const create = useAction(
    async () => onCreated(await companion.createGrant(tin, { ...identityValues(identity), ...term.values() })),
    {
      onError: (err) => {
        const fields = {
          docNumber: identity.docNumber,
          name: identity.name,
          startDate: term.startDate,
          endDate: term.endDate,
        };
        if (err instanceof CompanionError && err.code === "BEYOND_OWN_TERM" && term.termType === "定期") {
          term.endDate.fail(err.message);
        } else if (!applyFieldErrors(fields, fieldErrors(err))) {
          return describeError(err);
        }
        return null;
      },
    },
  );

  const submit = (event: Event) => {
    event.preventDefault();
    if (validateAll([identity.docNumber, identity.name, ...term.fields()])) void create.run();
  };

  return (
    <form class="form-grid" onSubmit={submit} noValidate data-testid="grant-form">
      <p class="form-note">{t("grantFormNote")}</p>
      <IdentityFields identity={identity} />
      <TermFields term={term} />
      <FormError message={create.error} testId="grant-form-error" />
      <div class="actions actions--form">
        <button type="submit" class="button button--primary" data-testid="grant-submit" disabled={create.busy}>
          {create.busy ? t("saving") : t("grantSubmit")}
        </button>
      </div>
    </form>
  );
}
