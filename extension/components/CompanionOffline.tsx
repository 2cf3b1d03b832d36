import "./Offline.css";
import { askNow, type Unreachable } from "../lib/companion-status.js";
import { t } from "../lib/i18n.js";
import { OfflineDetails } from "./OfflineDetails.js";
import { StartCompanion } from "./StartCompanion.js";

/**
 * The popup's screen while the companion does not answer: what that means for the user, starting it
 * through the native host (or how to install it), 重新连接 (the popup also retries by itself), and 技术信息.
 */
export function CompanionOffline({ status }: { status: Unreachable }) {
  return (
    <section class="offline" role="alert" data-testid="companion-offline">
      <h2 class="offline-title">{t("companionOffline")}</h2>
      <p>{t("companionOfflineHint")}</p>
      <StartCompanion />
      <p class="offline-still">{t("companionOfflineStillDown")}</p>
      <div class="actions">
        <button type="button" class="button button--secondary" data-testid="companion-reconnect" onClick={askNow}>
          {t("reconnect")}
        </button>
      </div>
      <OfflineDetails status={status} />
    </section>
  );
}
