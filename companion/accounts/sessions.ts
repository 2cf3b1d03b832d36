import { z } from "zod";
import type { Clock } from "../clock.js";
import { HOUR, MINUTE } from "../clock.js";
import { AppError } from "../errors.js";
import { keyedListeners } from "../events/listeners.js";
import { busTopic, type OfficeBus } from "../events/office-bus.js";
import { newToken, tokenDigest } from "../security/secrets.js";
import type { LoginHistoryStore, LoginVia } from "./login-history.js";
import type { SessionStore } from "./session-store.js";

export const SESSION_IDLE_TIMEOUT = 30 * MINUTE;
export const SESSION_MAX_AGE = 12 * HOUR;
const TOUCH_INTERVAL = MINUTE;

/** Whether a session not ended is still within its idle and absolute timers at `now`. */
export const withinTimers = (session: { lastSeenAt: number; expiresAt: number }, now: number): boolean =>
  now < session.expiresAt && now - session.lastSeenAt < SESSION_IDLE_TIMEOUT;

export interface Sessions {
  /** A new session of the person, recorded in 最近登录 with how it was opened. */
  open(personId: string, via: LoginVia): Promise<{ token: string; expiresAt: number }>;
  /**
   * The person behind a live token (touching its idle timer), or UNAUTHENTICATED. While the
   * person's password is a one-time one from the hall, PASSWORD_CHANGE_REQUIRED — unless the caller
   * is one of the few things such a session may do (`beforePasswordChange`).
   */
  authenticate(
    token: string | undefined,
    options?: { beforePasswordChange?: boolean },
  ): Promise<{ personId: string; tokenHash: string; mustChangePassword: boolean }>;
  /** Whether the session behind a token digest is still live, without touching its idle timer. */
  isLive(tokenHash: string): Promise<boolean>;
  end(token: string, reason: string): Promise<void>;
  endAllFor(personId: string, reason: string): Promise<number>;
  /** Ends the person's sessions except the one behind `keptTokenHash` (修改密码 keeps its own). */
  endOthersFor(personId: string, keptTokenHash: string, reason: string): Promise<number>;
  /**
   * `check` runs when one of the person's sessions is ended (logout, 忘记密码…), on this companion or
   * another of the office: whoever holds a session asks at once whether theirs is still live.
   */
  onEnd(personId: string, check: () => void): () => void;
}

export interface SessionDeps {
  store: SessionStore;
  logins: Pick<LoginHistoryStore, "record">;
  clock: Clock;
  bus: Pick<OfficeBus, "publish" | "subscribe">;
}

/** Someone's sessions were ended: only the person's id, the holders check their own token. */
const sessionEnds = busTopic("session-ended", z.object({ personId: z.string() }));

export function sessionService({ store, logins, clock, bus }: SessionDeps): Sessions {
  const checks = keyedListeners();
  bus.subscribe(sessionEnds, {
    receive: ({ personId }) => checks.tell(personId),
    // Ends told while this companion could not hear: every holder checks its own token.
    catchUp: () => checks.tellAll(),
  });
  const ended = (personId: string) => bus.publish(sessionEnds, { personId });
  /** `count` of the person's sessions were ended: their holders are told when there were any. */
  const endedSome = async (personId: string, count: number) => {
    if (count > 0) await ended(personId);
    return count;
  };

  return {
    async open(personId, via) {
      const token = newToken();
      const tokenHash = tokenDigest(token);
      const now = clock.now();
      const expiresAt = now + SESSION_MAX_AGE;
      await store.transaction(async () => {
        await store.insert(tokenHash, personId, now, expiresAt);
        await logins.record(personId, tokenHash, now, via);
      });
      return { token, expiresAt };
    },
    async authenticate(token, options) {
      if (!token) throw new AppError("UNAUTHENTICATED");
      const tokenHash = tokenDigest(token);
      const session = await store.openSession(tokenHash);
      const now = clock.now();
      if (!session) throw new AppError("UNAUTHENTICATED");
      if (!withinTimers(session, now)) {
        await store.end(tokenHash, now, now >= session.expiresAt ? "expired" : "idle");
        throw new AppError("UNAUTHENTICATED");
      }
      // The idle timer moves at most once a minute: no write on every request.
      if (now - session.lastSeenAt >= TOUCH_INTERVAL) await store.touch(tokenHash, now);
      if (session.mustChangePassword && !options?.beforePasswordChange) throw new AppError("PASSWORD_CHANGE_REQUIRED");
      return { personId: session.personId, tokenHash, mustChangePassword: session.mustChangePassword };
    },
    async isLive(tokenHash) {
      const session = await store.openSession(tokenHash);
      return session !== null && withinTimers(session, clock.now());
    },
    async end(token, reason) {
      const personId = await store.end(tokenDigest(token), clock.now(), reason);
      if (personId !== undefined) await ended(personId);
    },
    endAllFor: async (personId, reason) => endedSome(personId, await store.endAllOf(personId, clock.now(), reason)),
    endOthersFor: async (personId, keptTokenHash, reason) =>
      endedSome(personId, await store.endOthersOf(personId, keptTokenHash, clock.now(), reason)),
    onEnd: (personId, check) => checks.add(personId, check),
  };
}
