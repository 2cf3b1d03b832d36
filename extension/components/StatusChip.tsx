import "./StatusChip.css";
import type { GrantStatus } from "../../shared/api/grants.js";

const TONE: Record<GrantStatus, string> = {
  未生效: "chip--pending",
  有效: "chip--active",
  已过期: "chip--ended",
  "已解除(单位)": "chip--revoked",
  "已解除(本人)": "chip--revoked",
};

/** A grant's status (未生效, 有效, 已过期, 已解除(单位), 已解除(本人)) as a coloured chip. */
export function StatusChip({ status, testId = "grant-status" }: { status: GrantStatus; testId?: string }) {
  return (
    <span class={`chip ${TONE[status]}`} data-testid={testId}>
      {status}
    </span>
  );
}
