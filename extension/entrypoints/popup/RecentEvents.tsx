import { useState } from "preact/hooks";
import { t } from "../../lib/i18n.js";
import { RecentEventList } from "./RecentEventList.js";

/**
 * 最近动态 (collapsed): the person's own logins and the changes to their grants and account, read
 * only when opened. Its code comes with the logged-in view's chunk, itself loaded on demand: a
 * chunk imported from there would make Vite preload the popup's own stylesheet, which the build
 * writes into popup.html, and fail.
 */
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
