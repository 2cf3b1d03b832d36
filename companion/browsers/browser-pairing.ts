import { randomInt } from "node:crypto";
import { BROWSER_PAIR_REQUESTS_PER_MINUTE, BROWSER_PAIRING_MAX_PENDING } from "../../shared/api/browsers.js";
import { type Clock, MINUTE } from "../clock.js";
import { AppError } from "../errors.js";
import { type WindowLimit, windowLimit } from "../security/window-limit.js";
import type { TrustedBrowser, TrustedBrowserStore } from "./trusted-browser-store.js";

export const BROWSER_PAIRING_TTL = 5 * MINUTE;
/** Codes typed by one person that match no request, within the window, before a pause (6 digits). */
const MAX_WRONG_CODES = 5;

/**
 * Trusting a browser by pairing: a Firefox install's moz-extension://<uuid> origin is random, so it
 * cannot be listed in advance. The browser asks (one request per origin, capped in all: the oldest
 * goes, so a flood of made-up origins cannot keep a real one out for long) and shows a 6-digit
 * code; `taxauth browser approve <code>` or a person in a trusted browser types it; the origin is
 * then trusted until revoked. A person's wrong codes are limited; the CLI's are not (whoever runs
 * it can write the data dir anyway).
 */
export function browserPairingService({ store, clock }: { store: TrustedBrowserStore; clock: Clock }) {
  /** New requests per origin, and wrong codes per person: in memory, like the requests' short life. */
  const asked = new Map<string, WindowLimit>();
  const wrongCodes = new Map<string, WindowLimit>();
  const limitOf = (limits: Map<string, WindowLimit>, key: string, limit: number, windowMs: number) => {
    for (const [other, counted] of limits) if (counted.idle) limits.delete(other);
    const counted = limits.get(key) ?? windowLimit(clock, limit, windowMs);
    limits.set(key, counted);
    return counted;
  };
  const liveAfter = () => clock.now() - BROWSER_PAIRING_TTL;
  const newCode = () => String(randomInt(0, 1_000_000)).padStart(6, "0");

  async function approve(code: string, approvedBy: string): Promise<string> {
    const origin = await store.approve(code, clock.now(), liveAfter(), approvedBy);
    if (origin === null) throw new AppError("BROWSER_PAIRING_NOT_FOUND");
    return origin;
  }

  return {
    isTrusted: (origin: string): Promise<boolean> => store.isTrusted(origin),

    /** The code the browser shows; asking again while its request waits gives the same one. */
    async request(origin: string): Promise<{ code: string; expiresIn: number }> {
      const limit = asked.get(origin);
      const opened = await store.request(origin, clock.now(), {
        liveAfter: liveAfter(),
        maxPending: BROWSER_PAIRING_MAX_PENDING,
        newCode: () => {
          // Only a new request counts (a reopened popup asks again for the one it shows).
          limit?.refuseWhenFull("RATE_LIMITED");
          return newCode();
        },
      });
      if (opened.isNew) limitOf(asked, origin, BROWSER_PAIR_REQUESTS_PER_MINUTE, MINUTE).count();
      const expiresIn = Math.ceil((opened.requestedAt + BROWSER_PAIRING_TTL - clock.now()) / 1000);
      return { code: opened.code, expiresIn: Math.max(1, expiresIn) };
    },

    /** A person in a trusted browser typed the code: the origin it names, now trusted. */
    async approveByPerson(personId: string, code: string): Promise<string> {
      const wrong = wrongCodes.get(personId);
      wrong?.refuseWhenFull("PAIRING_CODE_LOCKED");
      try {
        return await approve(code, personId);
      } catch (error) {
        if (error instanceof AppError && error.code === "BROWSER_PAIRING_NOT_FOUND") {
          limitOf(wrongCodes, personId, MAX_WRONG_CODES, BROWSER_PAIRING_TTL).count();
        }
        throw error;
      }
    },
    /** `taxauth browser approve <code>`. */
    approveFromCli: (code: string): Promise<string> => approve(code, "cli"),

    list: (): Promise<TrustedBrowser[]> => store.list(),
    async revoke(origin: string): Promise<void> {
      if (!(await store.revoke(origin, clock.now()))) throw new AppError("TRUSTED_BROWSER_NOT_FOUND");
    },
  };
}

export type BrowserPairing = ReturnType<typeof browserPairingService>;
