import { t } from "../lib/i18n.js";
import { openOptions } from "../lib/tabs.js";

/** The companion did not answer: say so, say how to start it, offer a retry. */
export function CompanionOffline({ baseUrl, onRetry }: { baseUrl: string; onRetry(): void }) {
  return (
    <section class="offline" role="alert" data-testid="companion-offline">
      <h2 class="offline-title">{t("companionOffline")}</h2>
      <p>{t("companionOfflineHint", baseUrl)}</p>
      <pre class="offline-command">npm start</pre>
      <div class="actions">
        <button type="button" class="button button--primary" data-testid="companion-retry" onClick={onRetry}>
          {t("retry")}
        </button>
        <button type="button" class="button button--link" data-testid="open-options" onClick={openOptions}>
          {t("openOptions")}
        </button>
      </div>
    </section>
  );
}
