import "./MoreRows.css";
import type { Page } from "../../shared/api/paging.js";
import { t } from "../lib/i18n.js";
import type { Pages } from "../lib/use-pages.js";

/** Under a paged list: how many of how many rows are shown, and 【加载更多】 while more follow. */
export function MoreRows<P extends Page<unknown>>({ pages, testId }: { pages: Pages<P>; testId: string }) {
  const total = pages.last?.total ?? 0;
  if (total === 0) return null;
  return (
    <div class="more-rows" data-testid={testId}>
      <span class="muted small" data-testid={`${testId}-count`}>
        {t("rowsShown", pages.items.length, total)}
      </span>
      {pages.hasMore ? (
        <button
          type="button"
          class="button button--link"
          data-testid={`${testId}-more`}
          disabled={pages.loading}
          onClick={() => pages.loadMore()}
        >
          {pages.loading ? t("loadingData") : t("loadMore")}
        </button>
      ) : null}
    </div>
  );
}
