import { PairedClientList } from "../../components/PairedClientList.js";
import { t } from "../../lib/i18n.js";

/** 已配对的客户端: the desktop clients this person approved, each with 解除配对. */
export function PairedClients({ version }: { version: number }) {
  return (
    <section class="popup-section" data-testid="paired-clients">
      <div class="popup-section-head">
        <h2 class="popup-section-title">{t("pairedClientsTitle")}</h2>
      </div>
      <PairedClientList version={version} />
    </section>
  );
}
