import { useEffect, useState } from "preact/hooks";
import { PageShell } from "../../components/PageShell.js";
import { t } from "../../lib/i18n.js";
import { useGrantEvents } from "../../lib/use-grant-events.js";
import { useSessionToken } from "../../lib/use-session-token.js";
import { UnitDetail } from "./UnitDetail.js";
import { UnitList } from "./UnitList.js";

/** The open unit lives in the address (#unit=…): reload and the back button keep their place. */
function unitFromHash(): string | null {
  const value = new URLSearchParams(location.hash.slice(1)).get("unit");
  return value?.trim() ? value.trim() : null;
}

function openUnit(tin: string | null): void {
  location.hash = tin ? `unit=${encodeURIComponent(tin)}` : "";
}

/**
 * 企业办税权限: the units the person manages (法定代表人, 财务负责人, 管理权限), searchable, and one unit's
 * grants. Kept live by the event socket: any grant change refetches the list and the open unit.
 */
export function ManagePage() {
  const token = useSessionToken();
  const [tin, setTin] = useState(unitFromHash);
  const [listVersion, setListVersion] = useState(0);
  const [unitVersion, setUnitVersion] = useState(0);

  useEffect(() => {
    const follow = () => setTin(unitFromHash());
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
      {token && tin ? (
        <UnitDetail key={`${token}|${tin}`} tin={tin} version={unitVersion} onBack={() => openUnit(null)} />
      ) : null}
    </PageShell>
  );
}
