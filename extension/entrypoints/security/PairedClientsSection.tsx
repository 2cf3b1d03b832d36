import { PairedClientList } from "../../components/PairedClientList.js";
import { t } from "../../lib/i18n.js";

/** 已配对的客户端: the desktop clients this person approved, each with 解除配对 (as in the popup). */
export function PairedClientsSection() {
  return (
    <section class="security-section" data-testid="paired-clients">
      <div class="security-section-head">
        <h2 class="section-title">{t("pairedClientsTitle")}</h2>
      </div>
      <p class="muted small">{t("pairedClientsNote")}</p>
      <PairedClientList />
    </section>
  );
}
