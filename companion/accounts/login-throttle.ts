import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import { AppError, secondsUntil } from "../errors.js";

/** How long a failed identifier counts against the client that failed it. */
export const SPRAY_WINDOW = 5 * MINUTE;
/** From this many identifiers failed in the window, every try of the client needs a captcha. */
export const SPRAY_CAPTCHA_AFTER = 3;
/** At this many, the client may try no further identifier until the oldest leaves the window. */
export const SPRAY_LIMIT = 10;
/** The same over all clients together: more paired desktop clients do not buy more identifiers. */
export const SPRAY_GLOBAL_LIMIT = 20;

const EVERYONE = "*";

/**
 * Failed logins across many identifiers, per client (password spraying, or locking many accounts
 * one after another). A client is what a local process cannot multiply at will: every HTTP
 * caller together (all of them send our extension's Origin, and ports are free), and each paired
 * desktop client (pairing needs the person's approval). Identifiers are counted, not accounts:
 * counting a person's phone and document number as one would tell that they belong together.
 * Kept in memory: the window is short, and a restart only forgets a few minutes.
 */
export function loginThrottle(clock: Clock) {
  /** Per client, the identifiers (digests) failed lately, oldest first, with when they last failed. */
  const failed = new Map<string, Map<string, number>>();

  const recent = (client: string, now: number): Map<string, number> => {
    const entries = failed.get(client) ?? new Map<string, number>();
    for (const [identifier, at] of entries) {
      if (now - at < SPRAY_WINDOW) break;
      entries.delete(identifier);
    }
    if (entries.size === 0) failed.delete(client);
    return entries;
  };

  /** RATE_LIMITED when `identifier` is new to a client that has reached its limit. */
  const refuseIfFull = (entries: Map<string, number>, identifier: string, limit: number, now: number) => {
    if (entries.has(identifier) || entries.size < limit) return;
    const oldest = entries.values().next().value as number;
    throw new AppError("RATE_LIMITED", { retryAfter: secondsUntil(oldest + SPRAY_WINDOW, now) });
  };

  return {
    /**
     * Before a try of `identifier` by `client`: refused when the client (or everyone together) has
     * failed too many other identifiers lately; otherwise the identifier is counted at once (so
     * concurrent tries cannot slip past the limit) and `settle` says how the try ended.
     */
    admit(client: string, identifier: string) {
      const now = clock.now();
      const mine = recent(client, now);
      const everyone = recent(EVERYONE, now);
      refuseIfFull(mine, identifier, SPRAY_LIMIT, now);
      refuseIfFull(everyone, identifier, SPRAY_GLOBAL_LIMIT, now);
      const captchaAlways = mine.size >= SPRAY_CAPTCHA_AFTER;
      failed.set(client, mine).set(EVERYONE, everyone);
      const counted = [mine, everyone].map((entries) => {
        const known = entries.has(identifier);
        // Moved to the end: the entries stay in the order of their last failure.
        entries.delete(identifier);
        entries.set(identifier, now);
        return { entries, known };
      });
      return {
        captchaAlways,
        /** `wasFailure`: the password was judged wrong, or the identifier is locked; anything else is not held against the client. */
        settle(wasFailure: boolean) {
          if (wasFailure) return;
          for (const { entries, known } of counted) if (!known) entries.delete(identifier);
        },
      };
    },
  };
}

export type LoginThrottle = ReturnType<typeof loginThrottle>;
