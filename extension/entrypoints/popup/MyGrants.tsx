import { useState } from "preact/hooks";
import { LoadError } from "../../components/LoadError.js";
import { companion } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { openManage } from "../../lib/tabs.js";
import { useGrantEvents } from "../../lib/use-grant-events.js";
import { useResource } from "../../lib/use-resource.js";
import { MyGrantRow } from "./MyGrantRow.js";

/** 我的办税权限: the units that granted the person, with status; live while the popup is open. */
export function MyGrants() {
  const [version, setVersion] = useState(0);
  const mine = useResource(() => companion.myGrants(), [version]);
  const refresh = () => setVersion((n) => n + 1);
  useGrantEvents(refresh);

  const data = mine.data;
  return (
    <section class="my-grants" data-testid="my-grants">
      <div class="my-grants-head">
        <h2 class="my-grants-title">{t("myGrantsTitle")}</h2>
        {data?.managesUnits ? (
          <button type="button" class="button button--link" data-testid="open-manage" onClick={() => openManage()}>
            {t("openManage")}
          </button>
        ) : null}
      </div>
      <LoadError error={mine.error} onRetry={mine.reload} testId="my-grants-error" />
      {!data && mine.loading ? <p class="muted">{t("loadingData")}</p> : null}
      {data && data.endingSoon > 0 ? (
        <p class="notice notice--warn" data-testid="my-grants-ending-soon">
          {t("endingSoon", data.endingSoon)}
        </p>
      ) : null}
      {data && data.grants.length === 0 ? (
        <p class="muted" data-testid="my-grants-empty">
          {t("myGrantsEmpty")}
        </p>
      ) : null}
      {data && data.grants.length > 0 ? (
        <ul class="my-grant-list">
          {data.grants.map((grant) => (
            <MyGrantRow key={grant.id} grant={grant} onChanged={refresh} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
