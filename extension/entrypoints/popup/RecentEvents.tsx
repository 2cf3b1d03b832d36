import { useState } from "preact/hooks";
import { t } from "../../lib/i18n.js";
import { lazyComponent } from "../../lib/lazy.js";

// Its own chunk, fetched (code and rows) only when the person opens the list.
const RecentEventList = lazyComponent(
  () => import("./RecentEventList.js").then((module) => module.RecentEventList),
  <p class="muted">{t("loadingData")}</p>,
);

/** 最近动态 (collapsed): the person's own logins and the changes to their grants and account. */
export function RecentEvents() {
  const [open, setOpen] = useState(false);
  return (
    <section class="recent-events" data-testid="recent-events">
      <button
        type="button"
        class="button button--link recent-events-toggle"
        aria-expanded={open}
        data-testid="recent-events-toggle"
        onClick={() => setOpen((shown) => !shown)}
      >
        {open ? "▾ " : "▸ "}
        {t("recentEvents")}
      </button>
      {open ? <RecentEventList /> : null}
    </section>
  );
}
