import { Dialog } from "../../components/Dialog.js";
import { FormError } from "../../components/FormError.js";
import { TermFields, useTermFields } from "../../components/TermFields.js";
import { CompanionError, companion, type GrantView } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { useCompanionStatus } from "../../lib/use-companion-status.js";
import { applyFieldErrors, validateAll } from "../../lib/use-field.js";

interface ChangeDialogProps {
  tin: string;
  grant: GrantView;
  limit: string | null;
  onChanged(grant: GrantView): void;
  onClose(): void;
}

/** 变更: a grant's 权限类型 and 授权期限; the grantee stays. */
export function ChangeDialog({ tin, grant, limit, onChanged, onClose }: ChangeDialogProps) {
  const term = useTermFields(grant, limit);
  // The dialog is above the page's offline banner: it says so itself, and waits.
  const { reachable } = useCompanionStatus();
  const change = useAction(async () => onChanged(await companion.changeGrant(tin, grant.id, term.values())), {
    onError: (err) => {
      if (err instanceof CompanionError && err.code === "BEYOND_OWN_TERM" && term.termType === "定期") {
        term.endDate.fail(err.message);
      } else if (!applyFieldErrors({ startDate: term.startDate, endDate: term.endDate }, fieldErrors(err))) {
        return describeError(err);
      }
      return null;
    },
  });

  const submit = (event: Event) => {
    event.preventDefault();
    if (validateAll(term.fields())) void change.run();
  };

  return (
    <Dialog title={t("changeTitle")} testId="change-dialog" onClose={onClose}>
      <form class="form-grid form-grid--dialog" onSubmit={submit} noValidate>
        <p class="form-note">
          {t("changeGrantee", grant.grantee.name, `${grant.grantee.docType} ${grant.grantee.maskedDocNumber}`)}
        </p>
        <TermFields term={term} prefix="change-" />
        <FormError message={change.error ?? (reachable ? null : t("companionOfflineError"))} testId="change-error" />
        <div class="dialog-actions">
          <button type="button" class="button button--secondary" data-testid="change-cancel" onClick={onClose}>
            {t("cancel")}
          </button>
          <button
            type="submit"
            class="button button--primary"
            data-testid="change-submit"
            disabled={change.busy || !reachable}
          >
            {change.busy ? t("saving") : t("changeSubmit")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
