import { useState } from "preact/hooks";
import { mayResetDeclarationPassword } from "../../../shared/api/declaration.js";
import { FormError } from "../../components/FormError.js";
import { LoadError } from "../../components/LoadError.js";
import { PhoneNotBound } from "../../components/PhoneNotBound.js";
import { companion } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { useResource } from "../../lib/use-resource.js";
import { DeclarationResetButton } from "./DeclarationResetButton.js";
import { ExportCsvButton } from "./ExportCsvButton.js";
import { GrantForm } from "./GrantForm.js";
import { GrantTable } from "./GrantTable.js";
import { HistoryView } from "./HistoryView.js";
import { PendingRequests } from "./PendingRequests.js";
import { UnitInfo } from "./UnitInfo.js";
import { UnitTabs, unitTabId } from "./UnitTabs.js";

type Tab = "granted" | "pending" | "add" | "history";

const PANEL_ID = "unit-tab-panel";

interface UnitDetailProps {
  tin: string;
  version: number;
  onBack(): void;
  /** 【重置申报密码】 (offered to the unit's 法定代表人 and 财务负责人 only). */
  onResetDeclarationPassword(): void;
}

/**
 * One unit: its information, 已授权 (with actions), 待审批 (申请授权 to approve or decline), 新增授权 and 变更记录, the CSV export, and for its
 * officers 【重置申报密码】.
 */
export function UnitDetail({ tin, version, onBack, onResetDeclarationPassword }: UnitDetailProps) {
  const [tab, setTab] = useState<Tab>("granted");
  const [local, setLocal] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // 重置申报密码 was refused for want of a bound phone: the seed's sentence with the way to 安全中心.
  const [noPhone, setNoPhone] = useState(false);
  const detail = useResource(() => companion.unitDetail(tin), [tin, version, local]);
  // 待审批（n）: only the count is read here (one row); the tab reads its pages itself.
  const pending = useResource(
    (signal) => companion.unitGrantRequests(tin, { limit: 1 }, signal),
    [tin, version, local],
  );
  const pendingCount = pending.data?.total ?? 0;

  const done = (message: string) => {
    setNotice(message);
    setError(null);
    setNoPhone(false);
    setLocal((n) => n + 1);
  };
  const failed = (message: string) => {
    setNotice(null);
    setError(message);
    setNoPhone(false);
  };
  const choose = (next: Tab) => {
    setTab(next);
    setNotice(null);
    setError(null);
    setNoPhone(false);
  };

  const data = detail.data;
  const reviewCount = data?.reviewCount ?? 0;
  return (
    <section data-testid="unit-detail" data-tin={tin}>
      <div class="detail-head">
        <button type="button" class="button button--link" data-testid="unit-back" onClick={onBack}>
          {t("backToUnits")}
        </button>
        <h2 class="section-title detail-title">{data?.unit.name ?? tin}</h2>
        {data && mayResetDeclarationPassword(data.roles) ? (
          <span class="detail-actions">
            <DeclarationResetButton
              onOpen={onResetDeclarationPassword}
              onNoPhone={() => {
                setNotice(null);
                setError(null);
                setNoPhone(true);
              }}
              onRefused={failed}
            />
          </span>
        ) : null}
      </div>
      <LoadError error={detail.error} onRetry={detail.reload} />
      {!data && detail.loading ? <p class="muted">{t("loadingData")}</p> : null}
      {data ? (
        <>
          <UnitInfo detail={data} />
          <div class="tabs">
            <UnitTabs
              tabs={[
                { id: "granted", label: t("tabGranted", data.liveGrantCount) },
                { id: "pending", label: pendingCount > 0 ? t("tabPendingCount", pendingCount) : t("tabPending") },
                { id: "add", label: t("tabAdd") },
                { id: "history", label: t("tabHistory") },
              ]}
              current={tab}
              panelId={PANEL_ID}
              onChoose={choose}
            />
            <span class="tabs-spacer" />
            {reviewCount > 0 ? (
              <span class="badge badge--warn" data-testid="unit-review-total">
                {t("reviewCount", reviewCount)}
              </span>
            ) : null}
            <ExportCsvButton
              label={t("exportCsv")}
              testId="export-csv"
              exportFile={() => companion.exportGrantsCsv(tin)}
              onError={failed}
            />
          </div>
          <div role="tabpanel" id={PANEL_ID} aria-labelledby={unitTabId(tab)}>
            {notice ? (
              <p class="notice notice--ok" role="status" data-testid="unit-notice">
                {notice}
              </p>
            ) : null}
            <FormError message={error} testId="unit-error" />
            {noPhone ? <PhoneNotBound testId="unit-error" /> : null}
            {tab === "granted" ? (
              <GrantTable detail={data} version={version + local} onDone={done} onError={failed} />
            ) : null}
            {tab === "pending" ? <PendingRequests detail={data} version={version + local} onDone={done} /> : null}
            {tab === "add" ? (
              <GrantForm
                tin={tin}
                limit={data.grantLimit?.endDate ?? null}
                onCreated={(grant) => {
                  setTab("granted");
                  done(t("grantCreated", grant.grantee.name));
                }}
              />
            ) : null}
            {tab === "history" ? <HistoryView tin={tin} version={version + local} onError={failed} /> : null}
          </div>
        </>
      ) : null}
    </section>
  );
}
