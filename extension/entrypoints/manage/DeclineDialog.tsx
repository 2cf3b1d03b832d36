import { GRANT_REQUEST_TEXT_MAX } from "../../../shared/api/grant-requests.js";
import { Dialog } from "../../components/Dialog.js";
import { FormError } from "../../components/FormError.js";
import { TextField } from "../../components/TextField.js";
import { companion, type GrantRequestView } from "../../lib/companion-client.js";
import { describeError, fieldErrors } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { applyFieldErrors, useField, validateAll } from "../../lib/use-field.js";

interface DeclineDialogProps {
  tin: string;
  request: GrantRequestView;
  onDeclined(request: GrantRequestView): void;
  onClose(): void;
}

const checkReason = (reason: string) => {
  const length = [...reason.trim()].length;
  if (length === 0) return t("declineReasonRequired");
  return length > GRANT_REQUEST_TEXT_MAX ? t("declineReasonTooLong") : null;
};

/** 拒绝: a reason (required, at most 200 characters) the requester is shown. */
export function DeclineDialog({ tin, request, onDeclined, onClose }: DeclineDialogProps) {
  const reason = useField("", checkReason);
  const decline = useAction(
    async () => onDeclined(await companion.declineGrantRequest(tin, request.id, reason.value)),
    { onError: (err) => (applyFieldErrors({ reason }, fieldErrors(err)) ? null : describeError(err)) },
  );
  const submit = (event: Event) => {
    event.preventDefault();
    if (validateAll([reason])) void decline.run();
  };
  return (
    <Dialog title={t("declineTitle")} testId="decline-dialog" onClose={onClose}>
      <form class="form-grid form-grid--dialog" onSubmit={submit} noValidate>
        <p class="form-note">{request.requester.name}</p>
        <TextField id="decline-reason" label={t("declineReason")} field={reason} maxLength={GRANT_REQUEST_TEXT_MAX} />
        <FormError message={decline.error} testId="decline-error" />
        <div class="dialog-actions">
          <button type="button" class="button button--secondary" data-testid="decline-cancel" onClick={onClose}>
            {t("cancel")}
          </button>
          <button type="submit" class="button button--danger" data-testid="decline-submit" disabled={decline.busy}>
            {t("declineSubmit")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
