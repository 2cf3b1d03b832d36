import { describe, expect, it } from "vitest";
import {
  addDays,
  calendarDateSchema,
  daysBetween,
  isCalendarDate,
  shanghaiDate,
  startOfShanghaiDay,
} from "../../shared/dates.js";

describe("shanghaiDate", () => {
  it("turns at 16:00 UTC, which is 00:00 in Shanghai", () => {
    expect(shanghaiDate(Date.parse("2026-03-14T15:59:59.999Z"))).toBe("2026-03-14");
    expect(shanghaiDate(Date.parse("2026-03-14T16:00:00.000Z"))).toBe("2026-03-15");
    expect(shanghaiDate(Date.parse("2026-03-15T00:00:00.000Z"))).toBe("2026-03-15");
  });

  it("crosses month and year ends", () => {
    expect(shanghaiDate(Date.parse("2025-12-31T16:00:00Z"))).toBe("2026-01-01");
    expect(shanghaiDate(Date.parse("2024-02-28T16:00:00Z"))).toBe("2024-02-29");
    expect(shanghaiDate(Date.parse("2023-02-28T16:00:00Z"))).toBe("2023-03-01");
    expect(shanghaiDate(0)).toBe("1970-01-01");
  });

  it("refuses a non-finite instant", () => {
    expect(() => shanghaiDate(Number.NaN)).toThrow(RangeError);
  });
});

describe("startOfShanghaiDay", () => {
  it("is 16:00 UTC the day before", () => {
    expect(startOfShanghaiDay("2026-03-15")).toBe(Date.parse("2026-03-14T16:00:00Z"));
    expect(startOfShanghaiDay("2026-01-01")).toBe(Date.parse("2025-12-31T16:00:00Z"));
    expect(startOfShanghaiDay("1970-01-01")).toBe(-8 * 3600 * 1000);
  });

  it("round-trips with shanghaiDate", () => {
    for (const date of ["2024-02-29", "2026-12-31", "2000-03-01"]) {
      const start = startOfShanghaiDay(date);
      expect(shanghaiDate(start)).toBe(date);
      expect(shanghaiDate(start - 1)).toBe(addDays(date, -1));
      expect(shanghaiDate(start + 24 * 3600 * 1000 - 1)).toBe(date);
    }
  });

  it("refuses an invalid date", () => {
    expect(() => startOfShanghaiDay("2026-02-30")).toThrow(RangeError);
  });
});

describe("addDays", () => {
  it("moves across month ends, year ends and leap days", () => {
    expect(addDays("2026-01-31", 1)).toBe("2026-02-01");
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2025-02-28", 1)).toBe("2025-03-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2024-03-01", -1)).toBe("2024-02-29");
    expect(addDays("2026-05-10", 0)).toBe("2026-05-10");
    expect(addDays("2024-01-01", 366)).toBe("2025-01-01");
  });

  it("refuses a fractional day count", () => {
    expect(() => addDays("2026-01-01", 0.5)).toThrow(RangeError);
  });
});

describe("daysBetween", () => {
  it("is to − from", () => {
    expect(daysBetween("2026-01-01", "2026-01-01")).toBe(0);
    expect(daysBetween("2026-01-01", "2026-01-02")).toBe(1);
    expect(daysBetween("2026-01-02", "2026-01-01")).toBe(-1);
    expect(daysBetween("2024-01-01", "2025-01-01")).toBe(366);
    expect(daysBetween("2025-01-01", "2026-01-01")).toBe(365);
    expect(daysBetween("2026-02-01", "2026-03-01")).toBe(28);
    expect(daysBetween("2024-02-01", "2024-03-01")).toBe(29);
  });
});

describe("isCalendarDate", () => {
  it("accepts real dates", () => {
    for (const d of ["2026-01-31", "2024-02-29", "2000-02-29", "2026-04-30", "2026-12-31"]) {
      expect(isCalendarDate(d), d).toBe(true);
    }
  });

  it("refuses impossible dates and other shapes", () => {
    for (const d of [
      "2026-02-30",
      "2026-02-29", // not a leap year
      "1900-02-29", // divisible by 100, not by 400
      "2026-04-31",
      "2026-13-01",
      "2026-00-10",
      "2026-01-00",
      "2026-1-5",
      "2026/01/05",
      "20260105",
      " 2026-01-05",
      "2026-01-05T00:00",
      "",
    ]) {
      expect(isCalendarDate(d), d).toBe(false);
    }
  });
});

describe("calendarDateSchema", () => {
  const messages = (s: unknown) => calendarDateSchema.safeParse(s).error?.issues.map((i) => i.message);

  it("accepts a real date unchanged", () => {
    expect(calendarDateSchema.parse("2024-02-29")).toBe("2024-02-29");
  });

  it("reports a bad shape with the format message only", () => {
    expect(messages("2026/01/05")).toEqual(["日期格式应为YYYY-MM-DD"]);
    expect(messages("")).toEqual(["日期格式应为YYYY-MM-DD"]);
  });

  it("reports an impossible date", () => {
    expect(messages("2026-02-30")).toEqual(["日期无效"]);
  });
});
