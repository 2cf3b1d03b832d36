import { LoadError } from "../../components/LoadError.js";
import { MoreRows } from "../../components/MoreRows.js";
import { companion } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { usePages } from "../../lib/use-pages.js";
import { PairedClientRow } from "./PairedClientRow.js";

/** 已配对的客户端: the desktop clients this person approved, each with 解除配对. */
export function PairedClients({ version }: { version: number }) {
  const clients = usePages((page, signal) => companion.desktopClients(page, signal), [version]);
  const data = clients.last && clients.items;
  return (
    <section class="popup-section" data-testid="paired-clients">
      <div class="popup-section-head">
        <h2 class="popup-section-title">{t("pairedClientsTitle")}</h2>
      </div>
      <LoadError error={clients.error} onRetry={clients.reload} testId="paired-clients-error" />
      {data && data.length === 0 ? (
        <p class="muted small" data-testid="paired-clients-empty">
          {t("pairedClientsEmpty")}
        </p>
      ) : null}
      {data && data.length > 0 ? (
        <ul class="plain-list">
          {data.map((client) => (
            <PairedClientRow key={client.id} client={client} onRevoked={clients.reload} />
          ))}
        </ul>
      ) : null}
      <MoreRows pages={clients} testId="paired-clients-more" />
    </section>
  );
}
