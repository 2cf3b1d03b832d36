import "./Offline.css";
import { t } from "../lib/i18n.js";

/**
 * Over a full-tab page while the companion does not trust this browser yet (Firefox, before its
 * pairing): the page cannot work; the popup is where the browser is paired.
 */
export function UntrustedBanner() {
  return (
    <p class="notice notice--warn" role="alert" data-testid="untrusted-banner">
      {t("browserUntrustedBanner")}
    </p>
  );
}
