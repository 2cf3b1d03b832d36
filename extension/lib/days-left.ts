import type { GrantStatus } from "../../shared/api/grants.js";
import { daysBetween } from "../../shared/dates.js";

/**
 * A 定期 grant in force shows its days left once it ends within this many days: the first of the
 * reminders (30, 7 and 1 days before the end), so that long terms stay quiet.
 */
export const DAYS_LEFT_WINDOW = 30;

/**
 * Whole Shanghai calendar days from `today` to the grant's last day (0 on that day, when it still
 * holds), for a 有效 定期 grant ending within DAYS_LEFT_WINDOW; null for any other.
 */
export function daysLeft(
  grant: { status: GrantStatus; termType: string; endDate: string | null },
  today: string,
): number | null {
  if (grant.status !== "有效" || grant.termType !== "定期" || !grant.endDate) return null;
  const left = daysBetween(today, grant.endDate);
  return left >= 0 && left <= DAYS_LEFT_WINDOW ? left : null;
}
