import { Dialog } from "../../components/Dialog.js";
import { FormError } from "../../components/FormError.js";
import { TermFields, useTermFields } from "../../components/TermFields.js";
import { CompanionError, companion, type GrantRequestView } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { useCompanionStatus } from "../../lib/use-companion-status.js";
import { applyFieldErrors, validateAll } from "../../lib/use-field.js";

interface ApproveDialogProps {
  tin: string;
  request: GrantRequestView;
  /** The approver's own last date as a 管理权限 holder (null: no limit). */
  limit: string | null;
  onApproved(request: GrantRequestView): void;
  onClose(): void;
}

/** 批准: the permission and term asked for, editable before confirming, within the approver's limits. */
export function ApproveDialog({ tin, request, limit, onApproved, onClose }: ApproveDialogProps) {
  const term = useTermFields(request, limit);
  const { reachable } = useCompanionStatus();
  const approve = useAction(
    async () => onApproved(await companion.approveGrantRequest(tin, request.id, term.values())),
    {
      onError: (err) => {
        if (err instanceof CompanionError && err.code === "BEYOND_OWN_TERM" && term.termType === "定期") {
          term.endDate.fail(err.message);
        } else if (!applyFieldErrors({ startDate: term.startDate, endDate: term.endDate }, fieldErrors(err))) {
          return describeError(err);
        }
        return null;
      },
    },
  );

  const submit = (event: Event) => {
    event.preventDefault();
    if (validateAll(term.fields())) void approve.run();
  };

  return (
    <Dialog title={t("approveTitle")} testId="approve-dialog" onClose={onClose}>
      <form class="form-grid form-grid--dialog" onSubmit={submit} noValidate>
        <p class="form-note">
          {t(
            "changeGrantee",
            request.requester.name,
            `${request.requester.docType} ${request.requester.maskedDocNumber}`,
          )}
        </p>
        <p class="form-note muted">{t("approveHint")}</p>
        <TermFields term={term} prefix="approve-" />
        <FormError message={approve.error ?? (reachable ? null : t("companionOfflineError"))} testId="approve-error" />
        <div class="dialog-actions">
          <button type="button" class="button button--secondary" data-testid="approve-cancel" onClick={onClose}>
            {t("cancel")}
          </button>
          <button
            type="submit"
            class="button button--primary"
            data-testid="approve-submit"
            disabled={approve.busy || !reachable}
          >
            {approve.busy ? t("saving") : t("approveSubmit")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
