import "./StatusChip.css";
import type { GrantRequestState } from "../../shared/api/grant-requests.js";

const TONE: Record<GrantRequestState, string> = {
  待审批: "chip--pending",
  已批准: "chip--active",
  已拒绝: "chip--revoked",
  已过期: "chip--ended",
  已撤回: "chip--ended",
};

/** A 申请授权's state (待审批, 已批准, 已拒绝, 已过期, 已撤回) as a coloured chip, in the grant statuses' colours. */
export function RequestStateChip({ state }: { state: GrantRequestState }) {
  return (
    <span class={`chip ${TONE[state]}`} data-testid="my-request-state">
      {state}
    </span>
  );
}
