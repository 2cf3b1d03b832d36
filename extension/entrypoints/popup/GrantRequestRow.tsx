import { FormError } from "../../components/FormError.js";
import { RequestStateChip } from "../../components/RequestStateChip.js";
import { companion, type GrantRequestView } from "../../lib/companion-client.js";
import { shanghaiDateTime, termText } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";

/** One of the person's requests: the unit, what was asked, its state (and why, when declined); 撤回 while it waits. */
export function GrantRequestRow({ request, onChanged }: { request: GrantRequestView; onChanged(): void }) {
  const withdraw = useAction(async () => {
    await companion.withdrawGrantRequest(request.id);
    onChanged();
  });
  return (
    <li class="my-grant" data-testid="my-request" data-tin={request.unit.tin} data-request-id={request.id}>
      <div class="my-grant-top">
        <strong class="my-grant-name">{request.unit.name}</strong>
        <RequestStateChip state={request.state} />
      </div>
      <div class="muted small mono">{request.unit.tin}</div>
      <div class="small">
        {request.permission} · {termText(request)}
      </div>
      {request.state === "已拒绝" && request.reason ? (
        <div class="small" data-testid="my-request-reason">
          {t("requestReason", request.reason)}
        </div>
      ) : null}
      {request.state === "待审批" ? (
        <div class="my-grant-actions">
          <span class="muted small">{t("requestExpiresAt", shanghaiDateTime(request.expiresAt))}</span>
          <button
            type="button"
            class="button button--link"
            data-testid="my-request-withdraw"
            disabled={withdraw.busy}
            onClick={() => withdraw.run()}
          >
            {t("requestWithdraw")}
          </button>
        </div>
      ) : null}
      <FormError message={withdraw.error} testId="my-request-error" />
    </li>
  );
}
