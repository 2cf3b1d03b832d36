import { FormError } from "../../components/FormError.js";
import { CompanionError, companion, type PairingRequest } from "../../lib/companion-client.js";
import { describeError } from "../../lib/describe-error.js";
import { shanghaiDateTime } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";

interface PairingRequestCardProps {
  request: PairingRequest;
  /** 允许 (true) or 拒绝 (false) went through. */
  onDecided(approved: boolean): void;
  /** The request is no longer pending (expired, withdrawn, decided elsewhere): refetch. */
  onGone(): void;
}

/** One pairing request: which client, the code in large digits to compare, when; 允许 / 拒绝. */
export function PairingRequestCard({ request, onDecided, onGone }: PairingRequestCardProps) {
  const decide = useAction(
    async (approve: boolean) => {
      if (approve) await companion.approvePairing(request.id);
      else await companion.denyPairing(request.id);
      onDecided(approve);
    },
    {
      onError: (err) => {
        if (err instanceof CompanionError && err.code === "PAIRING_NOT_FOUND") onGone();
        return describeError(err);
      },
    },
  );

  return (
    <li class="pairing-request" data-testid="pairing-request" data-request-id={request.id}>
      <div class="pairing-request-top">
        <strong class="pairing-client" data-testid="pairing-client-name">
          {request.clientName}
        </strong>
        <span class="muted small" data-testid="pairing-time">
          {t("pairingRequestedAt", shanghaiDateTime(request.requestedAt))}
        </span>
      </div>
      <div class="pairing-code-label muted small">{t("pairingCodeLabel")}</div>
      <div class="pairing-code" data-testid="pairing-code">
        <span>{request.code.slice(0, 3)}</span>
        <span class="pairing-code-half">{request.code.slice(3)}</span>
      </div>
      <p class="pairing-warning" data-testid="pairing-warning">
        {t("pairingCheckCode")}
      </p>
      <FormError message={decide.error} testId="pairing-error" />
      <div class="actions pairing-actions">
        <button
          type="button"
          class="button button--secondary button--grow"
          data-testid="pairing-deny"
          disabled={decide.busy}
          onClick={() => decide.run(false)}
        >
          {t("pairingDeny")}
        </button>
        <button
          type="button"
          class="button button--primary button--grow"
          data-testid="pairing-approve"
          disabled={decide.busy}
          onClick={() => decide.run(true)}
        >
          {t("pairingApprove")}
        </button>
      </div>
    </li>
  );
}
