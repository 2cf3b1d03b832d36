import { useState } from "preact/hooks";
import { LoadError } from "../../components/LoadError.js";
import { MoreRows } from "../../components/MoreRows.js";
import { companion, type GrantRequestView, type UnitDetailResponse } from "../../lib/companion-client.js";
import { shanghaiDateTime, termText } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { usePages } from "../../lib/use-pages.js";
import { ApproveDialog } from "./ApproveDialog.js";
import { DeclineDialog } from "./DeclineDialog.js";

interface PendingRequestsProps {
  detail: UnitDetailResponse;
  /** Bumped by live events and actions: the rows are read again. */
  version: number;
  onDone(notice: string): void;
}

type Open = { kind: "approve" | "decline"; request: GrantRequestView } | null;

/** 待审批: the unit's requests waiting for a decision, oldest first, with 批准 and 拒绝. */
export function PendingRequests({ detail, version, onDone }: PendingRequestsProps) {
  const [open, setOpen] = useState<Open>(null);
  const tin = detail.unit.tin;
  const requests = usePages((page, signal) => companion.unitGrantRequests(tin, page, signal), [tin, version]);

  if (requests.error && !requests.last) return <LoadError error={requests.error} onRetry={requests.reload} />;
  if (!requests.last) return <p class="muted">{t("loadingData")}</p>;
  if (requests.items.length === 0) {
    return (
      <p class="empty" data-testid="pending-empty">
        {t("pendingEmpty")}
      </p>
    );
  }
  return (
    <>
      <table class="table" data-testid="pending-table">
        <thead>
          <tr>
            <th>{t("colRequester")}</th>
            <th>{t("colRequested")}</th>
            <th>{t("colNote")}</th>
            <th>{t("colRequestedAt")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {requests.items.map((request) => (
            <tr key={request.id} data-testid="pending-row" data-request-id={request.id}>
              <td>
                {request.requester.name}
                <div class="muted small">
                  {request.requester.docType} {request.requester.maskedDocNumber}
                </div>
              </td>
              <td>
                {request.permission}
                <div class="muted small">{termText(request)}</div>
              </td>
              <td class="note-cell">{request.note || "—"}</td>
              <td class="nowrap">{shanghaiDateTime(request.createdAt)}</td>
              <td class="nowrap">
                <button
                  type="button"
                  class="button button--link"
                  data-testid="pending-approve"
                  onClick={() => setOpen({ kind: "approve", request })}
                >
                  {t("approve")}
                </button>
                <button
                  type="button"
                  class="button button--link button--link-danger"
                  data-testid="pending-decline"
                  onClick={() => setOpen({ kind: "decline", request })}
                >
                  {t("decline")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <MoreRows pages={requests} testId="pending-more" />
      {open?.kind === "approve" ? (
        <ApproveDialog
          tin={tin}
          request={open.request}
          limit={detail.grantLimit?.endDate ?? null}
          onApproved={(request) => {
            setOpen(null);
            onDone(t("requestApproved", request.requester.name));
          }}
          onClose={() => setOpen(null)}
        />
      ) : null}
      {open?.kind === "decline" ? (
        <DeclineDialog
          tin={tin}
          request={open.request}
          onDeclined={(request) => {
            setOpen(null);
            onDone(t("requestDeclined", request.requester.name));
          }}
          onClose={() => setOpen(null)}
        />
      ) : null}
    </>
  );
}
