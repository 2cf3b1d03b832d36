import "./Offline.css";
import type { Unreachable } from "../lib/companion-status.js";
import { shanghaiDateTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { openOptions } from "../lib/tabs.js";

/**
 * 技术信息, collapsed: the address tried, what the browser said, the last attempt, how a developer
 * starts the companion, and the options page (another port). Clerks need none of it to go on.
 */
export function OfflineDetails({ status, onOptionsPage = false }: { status: Unreachable; onOptionsPage?: boolean }) {
  return (
    <details class="offline-details" data-testid="offline-details">
      <summary>{t("technicalInfo")}</summary>
      <dl class="summary offline-facts">
        <dt>{t("techAddress")}</dt>
        <dd class="mono" data-testid="offline-address">
          {status.baseUrl}
        </dd>
        <dt>{t("techError")}</dt>
        <dd class="mono">{status.error}</dd>
        <dt>{t("techLastTried")}</dt>
        <dd>{t("techAttempts", shanghaiDateTime(new Date(status.lastTriedAt).toISOString()), status.attempts)}</dd>
      </dl>
      <p class="muted small">{t("techDeveloper")}</p>
      {onOptionsPage ? null : (
        <button type="button" class="button button--link" data-testid="open-options" onClick={openOptions}>
          {t("openOptions")}
        </button>
      )}
    </details>
  );
}
