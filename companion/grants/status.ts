import type { GrantStatus } from "../../shared/api/grants.js";
import { type Dialect, dayAfterStartSql, greaterSql } from "../db/dialect.js";

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

// The same rule as SQL conditions on a grants row aliased `g`, for lists and counts computed in the
// database. `@today` is the Shanghai date of the decision.

/** 有效 or 未生效 on @today (isLiveStatus). */
export const liveSql = (g: string) => `(${g}.ended_by IS NULL AND (${g}.end_date IS NULL OR ${g}.end_date >= @today))`;

/** 有效 on @today. */
export const activeSql = (g: string) => `(${liveSql(g)} AND ${g}.start_date <= @today)`;

/**
 * 需复核: grant `g` still stands, but the 管理权限 grant `gg` it was made under no longer does, and
 * no manager has looked at `g` since `gg` stopped standing — when it was revoked or renounced, else
 * when its term ran out (or, for a term changed to end in the past, when that change was made).
 */
export const needsReviewSql = (dialect: Dialect, g: string, gg: string) =>
  `(${g}.grantor_grant_id IS NOT NULL AND ${liveSql(g)} AND ${gg}.id IS NOT NULL AND NOT ${liveSql(gg)}
    AND (${g}.reviewed_at IS NULL OR ${g}.reviewed_at <
      COALESCE(${gg}.ended_at, ${greaterSql(dialect, dayAfterStartSql(dialect, `${gg}.end_date`), `${gg}.term_set_at`)})))`;
