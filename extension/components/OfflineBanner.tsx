import "./Offline.css";
import { askNow, type Unreachable } from "../lib/companion-status.js";
import { t } from "../lib/i18n.js";
import { OfflineDetails } from "./OfflineDetails.js";

/**
 * Over a full-tab page while the companion does not answer: the page's actions are disabled
 * beneath it (PageShell) and it carries on by itself when the companion is back. The options page
 * keeps working (it is where another address is set): it says so instead.
 */
export function OfflineBanner({ status, onOptionsPage }: { status: Unreachable; onOptionsPage: boolean }) {
  return (
    <div class="notice notice--warn offline-banner" role="alert" data-testid="offline-banner">
      <div class="offline-banner-line">
        <p>{t(onOptionsPage ? "companionOfflineOptions" : "companionOfflineBanner")}</p>
        <button
          type="button"
          class="button button--secondary button--small"
          data-testid="companion-reconnect"
          onClick={askNow}
        >
          {t("reconnect")}
        </button>
      </div>
      <OfflineDetails status={status} onOptionsPage={onOptionsPage} />
    </div>
  );
}
