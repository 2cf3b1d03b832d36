import type { Clock } from "../clock.js";
import { HOUR, MINUTE } from "../clock.js";
import { AppError } from "../errors.js";
import { newToken, tokenDigest } from "../security/secrets.js";
import type { SessionStore } from "./session-store.js";

export const SESSION_IDLE_TIMEOUT = 30 * MINUTE;
export const SESSION_MAX_AGE = 12 * HOUR;
const TOUCH_INTERVAL = MINUTE;

export interface Sessions {
  open(personId: string): Promise<{ token: string; expiresAt: number }>;
  /** The person behind a live token (touching its idle timer), or UNAUTHENTICATED. */
  authenticate(token: string | undefined): Promise<{ personId: string; tokenHash: string }>;
  /** Whether the session behind a token digest is still live, without touching its idle timer. */
  isLive(tokenHash: string): Promise<boolean>;
  end(token: string, reason: string): Promise<void>;
  endAllFor(personId: string, reason: string): Promise<number>;
}

export interface SessionDeps {
  store: SessionStore;
  clock: Clock;
}

export function sessionService({ store, clock }: SessionDeps): Sessions {
  return {
    async open(personId) {
      const token = newToken();
      const now = clock.now();
      const expiresAt = now + SESSION_MAX_AGE;
      await store.insert(tokenDigest(token), personId, now, expiresAt);
      return { token, expiresAt };
    },
    async authenticate(token) {
      if (!token) throw new AppError("UNAUTHENTICATED");
      const tokenHash = tokenDigest(token);
      const session = await store.openSession(tokenHash);
      const now = clock.now();
      if (!session) throw new AppError("UNAUTHENTICATED");
      if (now >= session.expiresAt || now - session.lastSeenAt >= SESSION_IDLE_TIMEOUT) {
        await store.end(tokenHash, now, now >= session.expiresAt ? "expired" : "idle");
        throw new AppError("UNAUTHENTICATED");
      }
      // The idle timer moves at most once a minute: no write on every request.
      if (now - session.lastSeenAt >= TOUCH_INTERVAL) await store.touch(tokenHash, now);
      return { personId: session.personId, tokenHash };
    },
    async isLive(tokenHash) {
      const session = await store.openSession(tokenHash);
      const now = clock.now();
      return session !== null && now < session.expiresAt && now - session.lastSeenAt < SESSION_IDLE_TIMEOUT;
    },
    async end(token, reason) {
      await store.end(tokenDigest(token), clock.now(), reason);
    },
    endAllFor: (personId, reason) => store.endAllOf(personId, clock.now(), reason),
  };
}
