import { useState } from "preact/hooks";
import { companion, type PairedClient } from "../lib/companion-client.js";
import { shanghaiDateTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { useAction } from "../lib/use-action.js";
import { FormError } from "./FormError.js";

/**
 * One paired desktop client: name, 配对时间, 最近连接; 解除配对 asks first, inside the popup (a native
 * confirm() would close it). The companion ends the client's connections at once.
 */
export function PairedClientRow({ client, onRevoked }: { client: PairedClient; onRevoked(): void }) {
  const [confirming, setConfirming] = useState(false);
  const revoke = useAction(async () => {
    await companion.revokeDesktopClient(client.id);
    setConfirming(false);
    onRevoked();
  });

  return (
    <li class="paired-client" data-testid="paired-client" data-client-id={client.id}>
      <div class="paired-client-top">
        <strong class="paired-client-name" data-testid="paired-client-name">
          {client.name}
        </strong>
        {confirming ? null : (
          <button
            type="button"
            class="button button--link button--link-danger"
            data-testid="paired-client-revoke"
            onClick={() => setConfirming(true)}
          >
            {t("unpair")}
          </button>
        )}
      </div>
      <div class="muted small" data-testid="paired-client-times">
        {t("pairedAt", shanghaiDateTime(client.pairedAt))}
        <br />
        {client.lastSeenAt ? t("lastSeenAt", shanghaiDateTime(client.lastSeenAt)) : t("neverSeen")}
      </div>
      {confirming ? (
        <div class="inline-confirm" data-testid="paired-client-confirm-box">
          <p>{t("unpairConfirm", client.name)}</p>
          <div class="actions">
            <button
              type="button"
              class="button button--danger button--small"
              data-testid="paired-client-confirm"
              disabled={revoke.busy}
              onClick={() => revoke.run()}
            >
              {t("unpair")}
            </button>
            <button
              type="button"
              class="button button--secondary button--small"
              data-testid="paired-client-cancel"
              onClick={() => setConfirming(false)}
            >
              {t("cancel")}
            </button>
          </div>
        </div>
      ) : null}
      <FormError message={revoke.error} testId="paired-client-error" />
    </li>
  );
}
