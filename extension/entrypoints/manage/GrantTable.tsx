import { useState } from "preact/hooks";
import { isLiveStatus } from "../../../shared/api/grants.js";
import { ConfirmDialog } from "../../components/ConfirmDialog.js";
import { LoadError } from "../../components/LoadError.js";
import { MoreRows } from "../../components/MoreRows.js";
import { SearchBar } from "../../components/SearchBar.js";
import { StatusChip } from "../../components/StatusChip.js";
import { companion, type GrantView, type UnitDetailResponse } from "../../lib/companion-client.js";
import { describeError } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { usePages } from "../../lib/use-pages.js";
import { ChangeDialog } from "./ChangeDialog.js";
import { GranteeDocNumber } from "./GranteeDocNumber.js";

interface GrantTableProps {
  detail: UnitDetailResponse;
  /** Bumped by live events and actions: the rows are read again. */
  version: number;
  /** An action succeeded: say so and refetch. */
  onDone(notice: string): void;
  onError(message: string): void;
}

type Open = { kind: "change"; grant: GrantView } | { kind: "revoke"; grant: GrantView } | null;

/** 已授权: the unit's grants a page at a time, with their computed status, and 变更 / 解除授权 / 复核保留. */
export function GrantTable({ detail, version, onDone, onError }: GrantTableProps) {
  const [open, setOpen] = useState<Open>(null);
  const [reviewing, setReviewing] = useState<string | null>(null);
  const tin = detail.unit.tin;
  const limit = detail.grantLimit?.endDate ?? null;
  const [query, setQuery] = useState("");
  const grants = usePages(
    (page, signal) => companion.unitGrants(tin, { ...page, q: query }, signal),
    [tin, version, query],
  );

  const review = async (grant: GrantView) => {
    setReviewing(grant.id);
    try {
      await companion.reviewGrant(tin, grant.id);
      onDone(t("grantReviewed", grant.grantee.name));
    } catch (err) {
      onError(describeError(err));
    } finally {
      setReviewing(null);
    }
  };

  const search = (
    <SearchBar
      id="grantQuery"
      label={t("grantQueryLabel")}
      placeholder={t("grantQueryPlaceholder")}
      testId="grant-search"
      onSearch={setQuery}
    />
  );
  if (grants.error && !grants.last) return <LoadError error={grants.error} onRetry={grants.reload} />;
  if (!grants.last) return <p class="muted">{t("loadingData")}</p>;
  if (grants.items.length === 0 && !query) {
    return (
      <p class="empty" data-testid="grant-table-empty">
        {t("grantTableEmpty")}
      </p>
    );
  }
  if (grants.items.length === 0) {
    return (
      <>
        {search}
        <p class="empty" data-testid="grant-table-no-match">
          {t("grantListNoMatch", query)}
        </p>
      </>
    );
  }

  return (
    <>
      {search}
      <table class="table" data-testid="grant-table">
        <thead>
          <tr>
            <th>{t("colGrantee")}</th>
            <th>{t("fieldPermission")}</th>
            <th>{t("fieldTermType")}</th>
            <th>{t("fieldStartDate")}</th>
            <th>{t("fieldEndDate")}</th>
            <th>{t("colStatus")}</th>
            <th>{t("colGrantedBy")}</th>
            <th>{t("colActions")}</th>
          </tr>
        </thead>
        <tbody>
          {grants.items.map((grant) => {
            const own = grant.id === detail.ownGrantId;
            const live = isLiveStatus(grant.status);
            return (
              <tr key={grant.id} data-testid="grant-row" data-grant-id={grant.id} class={own ? "row--own" : undefined}>
                <td>
                  <div data-testid="grant-grantee">
                    {grant.grantee.name}
                    {own ? <span class="tag">{t("ownGrantTag")}</span> : null}
                  </div>
                  <GranteeDocNumber tin={tin} grant={grant} />
                </td>
                <td>{grant.permission}</td>
                <td>{grant.termType}</td>
                <td class="nowrap">{grant.startDate}</td>
                <td class="nowrap">{grant.endDate ?? "—"}</td>
                <td>
                  <StatusChip status={grant.status} />
                  {grant.needsReview ? (
                    <span class="badge badge--warn" data-testid="grant-needs-review" title={t("needsReviewHint")}>
                      {t("needsReview")}
                    </span>
                  ) : null}
                </td>
                <td>
                  {grant.grantedBy.name}
                  <div class="muted small">{grant.grantedBy.role}</div>
                </td>
                <td class="row-actions">
                  {own ? null : (
                    <>
                      {live ? (
                        <>
                          <button
                            type="button"
                            class="button button--link"
                            data-testid="grant-change"
                            onClick={() => setOpen({ kind: "change", grant })}
                          >
                            {t("change")}
                          </button>
                          <button
                            type="button"
                            class="button button--link button--link-danger"
                            data-testid="grant-revoke"
                            onClick={() => setOpen({ kind: "revoke", grant })}
                          >
                            {t("revoke")}
                          </button>
                        </>
                      ) : null}
                      {grant.needsReview ? (
                        <button
                          type="button"
                          class="button button--link"
                          data-testid="grant-review"
                          disabled={reviewing === grant.id}
                          onClick={() => review(grant)}
                        >
                          {t("reviewKeep")}
                        </button>
                      ) : null}
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <MoreRows pages={grants} testId="grant-table-more" />
      {open?.kind === "change" ? (
        <ChangeDialog
          tin={tin}
          grant={open.grant}
          limit={limit}
          onClose={() => setOpen(null)}
          onChanged={(grant) => {
            setOpen(null);
            onDone(t("grantChanged", grant.grantee.name));
          }}
        />
      ) : null}
      {open?.kind === "revoke" ? (
        <ConfirmDialog
          title={t("revokeTitle")}
          message={t("revokeConfirm", open.grant.grantee.name, detail.unit.name)}
          confirmLabel={t("revoke")}
          testId="revoke-dialog"
          onClose={() => setOpen(null)}
          onConfirm={async () => {
            const grant = await companion.revokeGrant(tin, open.grant.id);
            onDone(t("grantRevoked", grant.grantee.name));
          }}
        />
      ) : null}
    </>
  );
}
