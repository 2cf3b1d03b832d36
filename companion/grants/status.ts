import type { GrantStatus } from "../../shared/api/grants.js";

export interface GrantFacts {
  startDate: string;
  endDate: string | null;
  endedBy: "unit" | "self" | null;
}

/**
 * A grant's status on a calendar date (Asia/Shanghai), computed when a decision is taken and never
 * stored: 已解除 wins, then the term decides (dates inclusive).
 */
export function grantStatus(grant: GrantFacts, today: string): GrantStatus {
  if (grant.endedBy === "unit") return "已解除(单位)";
  if (grant.endedBy === "self") return "已解除(本人)";
  if (today < grant.startDate) return "未生效";
  if (grant.endDate !== null && today > grant.endDate) return "已过期";
  return "有效";
}
