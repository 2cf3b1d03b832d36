import { useState } from "preact/hooks";
import { companion } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { usePolling } from "../../lib/use-polling.js";
import { useResource } from "../../lib/use-resource.js";
import { PairingRequestCard } from "./PairingRequestCard.js";

/** How often the open popup asks for pending requests (they live 5 minutes; nothing is pushed yet). */
const POLL_MS = 2_000;

/**
 * 桌面客户端配对请求: local desktop clients asking to pair, each to 允许 or 拒绝 after comparing the
 * code. Shown only while a request is pending (or just decided, to say what happened).
 */
export function PairingRequests({ onApproved }: { onApproved(): void }) {
  const requests = useResource((signal) => companion.pairingRequests({}, signal), []);
  usePolling(requests, POLL_MS);
  const [notice, setNotice] = useState<string | null>(null);
  // Answered here: gone from the list at once, whatever a poll still in flight says.
  const [answered, setAnswered] = useState<ReadonlySet<string>>(new Set());

  // While the companion cannot be asked, what it said before cannot be acted on either.
  const pending = requests.error ? [] : (requests.data?.items ?? []).filter((request) => !answered.has(request.id));
  if (pending.length === 0 && !notice) return null;
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
      {pending.length > 0 ? (
        <ul class="plain-list">
          {pending.map((request) => (
            <PairingRequestCard
              key={request.id}
              request={request}
              onDecided={(approved) => {
                setAnswered(new Set(answered).add(request.id));
                setNotice(t(approved ? "pairingApproved" : "pairingDenied", request.clientName));
                if (approved) onApproved();
                requests.reload();
              }}
              onGone={requests.reload}
            />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
