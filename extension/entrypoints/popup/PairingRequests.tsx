import { useState } from "preact/hooks";
import { companion, type PairingMatch } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { usePolling } from "../../lib/use-polling.js";
import { useResource } from "../../lib/use-resource.js";
import { PairingCodeForm } from "./PairingCodeForm.js";
import { PairingMatchCard } from "./PairingMatchCard.js";

/** How often the open popup asks how many requests wait (they live 5 minutes; nothing is pushed yet). */
const POLL_MS = 2_000;

/**
 * 桌面客户端配对请求: how many local desktop clients ask to pair, and a field for the code the
 * person's own client shows; the request it names is then shown to 允许 or 拒绝. Shown only while
 * requests wait (or one is being answered, or was just answered, to say what happened).
 */
export function PairingRequests({ onApproved }: { onApproved(): void }) {
  const pending = useResource((signal) => companion.pairingsPending(signal), []);
  usePolling(pending, POLL_MS);
  const [found, setFound] = useState<{ match: PairingMatch; code: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [gone, setGone] = useState<string | null>(null);

  // While the companion cannot be asked, what it said before cannot be acted on either.
  const count = pending.error ? 0 : (pending.data?.pending ?? 0);
  if (count === 0 && !found && !notice) return null;
  return (
    <section class="popup-section pairing-requests" data-testid="pairing-requests">
      <div class="popup-section-head">
        <h2 class="popup-section-title">{t("pairingTitle")}</h2>
      </div>
      {notice ? (
        <p class="notice notice--ok" role="status" data-testid="pairing-notice">
          {notice}
        </p>
      ) : null}
      {count > 0 ? (
        <p class="muted small" data-testid="pairing-pending">
          {t("pairingPending", count)}
        </p>
      ) : null}
      {found ? (
        <PairingMatchCard
          match={found.match}
          code={found.code}
          onDecided={(approved) => {
            setFound(null);
            setNotice(t(approved ? "pairingApproved" : "pairingDenied", found.match.clientName));
            if (approved) onApproved();
            pending.reload();
          }}
          onGone={(message) => {
            setFound(null);
            setGone(message);
            pending.reload();
          }}
        />
      ) : count > 0 ? (
        <PairingCodeForm
          initialError={gone}
          onFound={(match, code) => {
            setGone(null);
            setNotice(null);
            setFound({ match, code });
          }}
        />
      ) : null}
    </section>
  );
}
