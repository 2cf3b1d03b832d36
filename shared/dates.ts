/**
 * Calendar dates in Asia/Shanghai as `YYYY-MM-DD` strings (grant periods are calendar dates in
 * Asia/Shanghai, inclusive). Shanghai is UTC+8 all year: China has not observed daylight
 * saving time since 1991, so a fixed offset is exact for every date this service deals with.
 */
import * as z from "zod";

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms of 00:00 UTC on y-m-d (proleptic Gregorian; unlike Date.UTC, years 0–99 are taken literally). */
function utcMidnight(y: number, m: number, d: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return t.getTime();
}

/** Days since 1970-01-01 of a valid date string; throws RangeError otherwise. */
function dayNumber(date: string): number {
  const match = DATE_SHAPE.exec(date);
  if (!match || !isCalendarDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  return utcMidnight(Number(match[1]), Number(match[2]), Number(match[3])) / DAY_MS;
}

/** The YYYY-MM-DD of a UTC instant's calendar day; throws RangeError outside years 0000–9999. */
function formatUtcDay(ms: number): string {
  const t = new Date(ms);
  const y = t.getUTCFullYear();
  if (!Number.isFinite(ms) || y < 0 || y > 9999) throw new RangeError(`date out of range: ${ms}`);
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  return `${pad(y, 4)}-${pad(t.getUTCMonth() + 1, 2)}-${pad(t.getUTCDate(), 2)}`;
}

/** True for a real date written YYYY-MM-DD (2026-02-30 and 2026-13-01 are not). */
export function isCalendarDate(s: string): boolean {
  const match = DATE_SHAPE.exec(s);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (m < 1 || m > 12 || d < 1) return false;
  // Day 0 of the next month is the last day of this one.
  return d <= new Date(utcMidnight(y, m + 1, 0)).getUTCDate();
}

/** The Shanghai calendar date at an instant. */
export function shanghaiDate(epochMs: number): string {
  return formatUtcDay(epochMs + SHANGHAI_OFFSET_MS);
}

/** An instant as people read it in China, date and time (2026/12/2 14:05:09), for slips and listings. */
export function shanghaiDateTimeText(epochMs: number): string {
  return new Date(epochMs).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}

/** The Shanghai wall-clock time at an instant, `HH:MM`. */
export function shanghaiTime(epochMs: number): string {
  return new Date(epochMs + SHANGHAI_OFFSET_MS).toISOString().slice(11, 16);
}

/** Epoch ms of 00:00 Shanghai time on `date` (= 16:00 UTC the day before). */
export function startOfShanghaiDay(date: string): number {
  return dayNumber(date) * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** `date` moved by a whole number of days (negative moves back). */
export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`not a whole number of days: ${days}`);
  return formatUtcDay((dayNumber(date) + days) * DAY_MS);
}

/** `to` − `from` in days: 0 for the same date, positive when `to` is later. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** A YYYY-MM-DD string that is a real date; a badly shaped string gets only the format message. */
export const calendarDateSchema = z
  .string()
  .regex(DATE_SHAPE, { message: "日期格式应为YYYY-MM-DD", abort: true })
  .refine(isCalendarDate, "日期无效");
