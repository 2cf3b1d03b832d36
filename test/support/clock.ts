import type { Clock } from "../../companion/clock.js";

/** A clock the test moves by hand. */
export function manualClock(start = Date.parse("2026-11-28T02:00:00Z")): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}

/** `promise`, or a failure naming `what` once `ms` have passed without it. */
export const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)),
  ]);
