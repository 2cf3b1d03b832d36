/** 剩n天 beside a 定期 grant in force that ends within 30 days (Shanghai calendar dates). */
import { describe, expect, it } from "vitest";
import { DAYS_LEFT_WINDOW, daysLeft } from "../../extension/lib/days-left.js";
import { addDays } from "../../shared/dates.js";

const today = "2026-12-30";
const fixed = (endDate: string, status: "有效" | "未生效" | "已过期" | "已解除(单位)" = "有效") => ({
  status,
  termType: "定期",
  endDate,
});

describe("days left", () => {
  it("counts whole calendar days to the last day, across a month and a year end", () => {
    expect(daysLeft(fixed("2027-01-02"), today)).toBe(3);
    expect(daysLeft(fixed("2026-12-31"), today)).toBe(1);
    expect(daysLeft(fixed(today), today)).toBe(0);
  });

  it("shows within 30 days only", () => {
    expect(DAYS_LEFT_WINDOW).toBe(30);
    expect(daysLeft(fixed(addDays(today, 30)), today)).toBe(30);
    expect(daysLeft(fixed(addDays(today, 31)), today)).toBeNull();
  });

  it("shows nothing for a grant not in force, for 长期, or one already past", () => {
    expect(daysLeft(fixed("2027-01-02", "未生效"), today)).toBeNull();
    expect(daysLeft(fixed("2027-01-02", "已解除(单位)"), today)).toBeNull();
    expect(daysLeft(fixed("2026-12-29", "已过期"), today)).toBeNull();
    expect(daysLeft({ status: "有效", termType: "长期", endDate: null }, today)).toBeNull();
  });
});
