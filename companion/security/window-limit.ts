import type { ErrorCode } from "../../shared/errors.js";
import type { Clock } from "../clock.js";
import { AppError, secondsUntil } from "../errors.js";

/**
 * At most `limit` events in any `windowMs`, counted in memory: for limits on things that live in
 * memory themselves (a connection's requests, pending pairings), which a restart clears anyway.
 */
export function windowLimit(clock: Clock, limit: number, windowMs: number) {
  const times: number[] = [];
  const recent = () => {
    const since = clock.now() - windowMs;
    while (times.length > 0 && times[0]! <= since) times.shift();
    return times;
  };
  return {
    /** Refuses with `code` and its retryAfter while the window is full. */
    refuseWhenFull(code: ErrorCode): void {
      const [oldest] = recent();
      if (times.length >= limit && oldest !== undefined) {
        throw new AppError(code, { retryAfter: secondsUntil(oldest + windowMs, clock.now()) });
      }
    },
    count(): void {
      times.push(clock.now());
    },
    /** Nothing counted in the window: the limit may be forgotten. */
    get idle(): boolean {
      return recent().length === 0;
    },
  };
}

export type WindowLimit = ReturnType<typeof windowLimit>;
