import "./DaysLeft.css";
import type { GrantStatus } from "../../shared/api/grants.js";
import { daysLeft } from "../lib/days-left.js";
import { todayInShanghai } from "../lib/format.js";
import { t } from "../lib/i18n.js";

/** 剩3天 (今日到期 on the last day) beside a 定期 grant in force that ends soon; nothing otherwise. */
export function DaysLeft({ grant }: { grant: { status: GrantStatus; termType: string; endDate: string | null } }) {
  const left = daysLeft(grant, todayInShanghai());
  if (left === null) return null;
  return (
    <span class="days-left" data-testid="days-left">
      {left === 0 ? t("endsToday") : t("daysLeft", left)}
    </span>
  );
}
