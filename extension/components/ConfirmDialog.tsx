import { t } from "../lib/i18n.js";
import { useAction } from "../lib/use-action.js";
import { useCompanionStatus } from "../lib/use-companion-status.js";
import { Dialog } from "./Dialog.js";
import { FormError } from "./FormError.js";

interface ConfirmDialogProps {
  title: string;
  message: string;
  confirmLabel: string;
  testId: string;
  /** The action; a refusal is shown in the dialog, success closes it. */
  onConfirm(): Promise<void>;
  onClose(): void;
}

/** Are you sure? — for actions that cannot be taken back (解除授权). */
export function ConfirmDialog({ title, message, confirmLabel, testId, onConfirm, onClose }: ConfirmDialogProps) {
  // The dialog is above the page's offline banner: it says so itself, and waits.
  const { reachable } = useCompanionStatus();
  const confirm = useAction(async () => {
    await onConfirm();
    onClose();
  });
  return (
    <Dialog title={title} testId={testId} onClose={onClose}>
      <p class="dialog-message">{message}</p>
      <FormError
        message={confirm.error ?? (reachable ? null : t("companionOfflineError"))}
        testId={`${testId}-error`}
      />
      <div class="dialog-actions">
        <button type="button" class="button button--secondary" data-testid={`${testId}-cancel`} onClick={onClose}>
          {t("cancel")}
        </button>
        <button
          type="button"
          class="button button--danger"
          data-testid={`${testId}-confirm`}
          disabled={confirm.busy || !reachable}
          onClick={() => confirm.run()}
        >
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
