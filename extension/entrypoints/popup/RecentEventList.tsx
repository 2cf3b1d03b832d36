import { LoadError } from "../../components/LoadError.js";
import { MoreRows } from "../../components/MoreRows.js";
import { companion } from "../../lib/companion-client.js";
import { shanghaiDateTime } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { usePages } from "../../lib/use-pages.js";

/** Rows a page of the popup's small list holds. */
const PAGE_ROWS = 10;

/** The rows of 最近动态, newest first, PAGE_ROWS at a time. */
export function RecentEventList() {
  const events = usePages(
    (page, signal) => companion.myEvents({ ...page, limit: Math.min(page.limit, PAGE_ROWS) }, signal),
    [],
  );
  if (events.error && !events.last) return <LoadError error={events.error} onRetry={events.reload} />;
  if (!events.last) return <p class="muted">{t("loadingData")}</p>;
  if (events.items.length === 0) return <p class="muted">{t("recentEventsEmpty")}</p>;
  return (
    <>
      <ul class="recent-event-list">
        {events.items.map((event) => (
          <li key={event.id} data-testid="recent-event">
            <span class="muted small">{shanghaiDateTime(event.at)}</span>
            <span class="recent-event-what">
              {event.action}
              {event.unit ? ` · ${event.unit.name}` : ""}
            </span>
            <span class="muted small">{event.detail}</span>
          </li>
        ))}
      </ul>
      <MoreRows pages={events} testId="recent-events-more" />
    </>
  );
}
