import { useState } from "preact/hooks";
import { LoadError } from "../../components/LoadError.js";
import { MoreRows } from "../../components/MoreRows.js";
import { companion } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { lazyComponent } from "../../lib/lazy.js";
import { useGrantEvents } from "../../lib/use-grant-events.js";
import { usePages } from "../../lib/use-pages.js";
import { MyGrantRow } from "./MyGrantRow.js";

// 申请授权 is not on the first screen: its form and list come in their own chunk.
const GrantRequests = lazyComponent(() => import("./GrantRequests.js").then((module) => module.GrantRequests));

/**
 * 我的办税权限: the units that granted the person, with status, and their 申请授权; live while the
 * popup is open.
 */
export function MyGrants() {
  const [version, setVersion] = useState(0);
  const mine = usePages((page, signal) => companion.myGrants(page, signal), [version]);
  const refresh = () => setVersion((n) => n + 1);
  useGrantEvents(refresh);

  const data = mine.last;
  return (
    <section class="my-grants" data-testid="my-grants">
      <div class="my-grants-head">
        <h2 class="my-grants-title">{t("myGrantsTitle")}</h2>
      </div>
      <LoadError error={mine.error} onRetry={mine.reload} testId="my-grants-error" />
      {!data && mine.loading ? <p class="muted">{t("loadingData")}</p> : null}
      {data && data.endingSoon > 0 ? (
        <p class="notice notice--warn" data-testid="my-grants-ending-soon">
          {t("endingSoon", data.endingSoon)}
        </p>
      ) : null}
      {data && mine.items.length === 0 ? (
        <p class="muted" data-testid="my-grants-empty">
          {t("myGrantsEmpty")}
        </p>
      ) : null}
      {mine.items.length > 0 ? (
        <ul class="my-grant-list">
          {mine.items.map((grant) => (
            <MyGrantRow key={grant.id} grant={grant} onChanged={refresh} />
          ))}
        </ul>
      ) : null}
      <MoreRows pages={mine} testId="my-grants-more" />
      <GrantRequests version={version} />
    </section>
  );
}
