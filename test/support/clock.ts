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
