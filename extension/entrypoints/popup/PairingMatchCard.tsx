import { FormError } from "../../components/FormError.js";
import { CompanionError, companion, type PairingMatch } from "../../lib/companion-client.js";
import { describeError } from "../../lib/describe-error.js";
import { shanghaiDateTime } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";

interface PairingMatchCardProps {
  match: PairingMatch;
  /** The code the person typed: 允许 and 拒绝 name the request by it. */
  code: string;
  /** 允许 (true) or 拒绝 (false) went through. */
  onDecided(approved: boolean): void;
  /** The request is gone meanwhile (expired, withdrawn, decided elsewhere): back to the code, with why. */
  onGone(message: string): void;
}

/** The request whose code the person typed: which client, since when; 允许 / 拒绝. */
export function PairingMatchCard({ match, code, onDecided, onGone }: PairingMatchCardProps) {
  const decide = useAction(
    async (approve: boolean) => {
      if (approve) await companion.approvePairing(code);
      else await companion.denyPairing(code);
      onDecided(approve);
    },
    {
      onError: (err) => {
        if (!(err instanceof CompanionError && err.code === "PAIRING_NOT_FOUND")) return describeError(err);
        onGone(describeError(err));
        return null;
      },
    },
  );

  return (
    <div class="pairing-request" data-testid="pairing-request">
      <div class="pairing-request-top">
        <strong class="pairing-client" data-testid="pairing-client-name">
          {match.clientName}
        </strong>
        <span class="muted small" data-testid="pairing-time">
          {t("pairingRequestedAt", shanghaiDateTime(match.requestedAt))}
        </span>
      </div>
      <p class="pairing-warning" data-testid="pairing-warning">
        {t("pairingCheckClient")}
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
    </div>
  );
}
