import { useEffect, useState } from "preact/hooks";
import { PageShell } from "../../components/PageShell.js";
import { t } from "../../lib/i18n.js";
import { useGrantEvents } from "../../lib/use-grant-events.js";
import { useSessionToken } from "../../lib/use-session-token.js";
import { DeclarationResetScreen } from "./DeclarationResetScreen.js";
import { UnitDetail } from "./UnitDetail.js";
import { UnitList } from "./UnitList.js";

/** What the page shows of a unit: its grants (the detail) or the 重置申报密码 page. */
type UnitView = "detail" | "declaration-password";

/**
 * The open unit and view live in the address (#unit=…&view=…): reload and the back button keep
 * their place.
 */
function routeFromHash(): { tin: string | null; view: UnitView } {
  const params = new URLSearchParams(location.hash.slice(1));
  const tin = params.get("unit")?.trim() || null;
  return { tin, view: params.get("view") === "declaration-password" ? "declaration-password" : "detail" };
}

function openUnit(tin: string | null, view: UnitView = "detail"): void {
  const params = new URLSearchParams();
  if (tin) params.set("unit", tin);
  if (tin && view !== "detail") params.set("view", view);
  location.hash = params.toString();
}

/**
 * 企业办税权限: the units the person manages (法定代表人, 财务负责人, 管理权限), searchable, one unit's
 * grants, and for its 法定代表人 / 财务负责人 the 重置申报密码 page. Kept live by the event socket: any
 * grant change refetches the list and the open unit.
 */
export function ManagePage() {
  const token = useSessionToken();
  const [{ tin, view }, setRoute] = useState(routeFromHash);
  const [listVersion, setListVersion] = useState(0);
  const [unitVersion, setUnitVersion] = useState(0);

  useEffect(() => {
    const follow = () => setRoute(routeFromHash());
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);

  useGrantEvents((event) => {
    setListVersion((n) => n + 1);
    if (!event || event.unitTin === tin) setUnitVersion((n) => n + 1);
  }, token);

  return (
    <PageShell title={t("manageTitle")} wide>
      {token === undefined ? <p class="muted">{t("loading")}</p> : null}
      {token === null ? (
        <p class="notice" data-testid="manage-login-needed">
          {t("manageLoginNeeded")}
        </p>
      ) : null}
      {/* Keyed by the session too: a login as someone else starts afresh. */}
      {token && !tin ? <UnitList key={token} version={listVersion} onOpen={openUnit} /> : null}
      {token && tin && view === "detail" ? (
        <UnitDetail
          key={`${token}|${tin}`}
          tin={tin}
          version={unitVersion}
          onBack={() => openUnit(null)}
          onResetDeclarationPassword={() => openUnit(tin, "declaration-password")}
        />
      ) : null}
      {token && tin && view === "declaration-password" ? (
        <DeclarationResetScreen key={`${token}|${tin}`} tin={tin} onBack={() => openUnit(tin)} />
      ) : null}
    </PageShell>
  );
}
