import "./PairedClientList.css";
import { companion } from "../lib/companion-client.js";
import { t } from "../lib/i18n.js";
import { usePages } from "../lib/use-pages.js";
import { LoadError } from "./LoadError.js";
import { MoreRows } from "./MoreRows.js";
import { PairedClientRow } from "./PairedClientRow.js";

/**
 * The desktop clients this person approved, a page at a time, each with 解除配对 (the popup's
 * 已配对的客户端, and 安全中心's). `version` reloads it (a client was just approved).
 */
export function PairedClientList({ version = 0 }: { version?: number }) {
  const clients = usePages((page, signal) => companion.desktopClients(page, signal), [version]);
  const data = clients.last && clients.items;
  return (
    <>
      <LoadError error={clients.error} onRetry={clients.reload} testId="paired-clients-error" />
      {data && data.length === 0 ? (
        <p class="muted small" data-testid="paired-clients-empty">
          {t("pairedClientsEmpty")}
        </p>
      ) : null}
      {data && data.length > 0 ? (
        <ul class="paired-client-list">
          {data.map((client) => (
            <PairedClientRow key={client.id} client={client} onRevoked={clients.reload} />
          ))}
        </ul>
      ) : null}
      <MoreRows pages={clients} testId="paired-clients-more" />
    </>
  );
}
