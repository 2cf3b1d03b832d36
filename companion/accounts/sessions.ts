import type { Clock } from "../clock.js";
import { HOUR, MINUTE } from "../clock.js";
import type { Db } from "../db/database.js";
import { derivedCache } from "../db/derived-cache.js";
import { AppError } from "../errors.js";
import { newToken, tokenDigest } from "../security/secrets.js";

export const SESSION_IDLE_TIMEOUT = 30 * MINUTE;
export const SESSION_MAX_AGE = 12 * HOUR;
const TOUCH_INTERVAL = MINUTE;

export interface Sessions {
  open(personId: string): { token: string; expiresAt: number };
  /** The person behind a live token (touching its idle timer), or UNAUTHENTICATED. */
  authenticate(token: string | undefined): { personId: string; tokenHash: string };
  /** Whether the session behind a token digest is still live, without touching its idle timer. */
  isLive(tokenHash: string): boolean;
  end(token: string, reason: string): void;
  endAllFor(personId: string, reason: string): number;
}

interface SessionRow {
  person_id: string;
  last_seen_at: number;
  expires_at: number;
}

export function sessions(db: Db, clock: Clock): Sessions {
  const insert = db.prepare(
    "INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
  );
  const select = db.prepare(
    "SELECT person_id, last_seen_at, expires_at FROM sessions WHERE token_hash = ? AND ended_at IS NULL",
  );
  // Every request of a logged-in client reads its session: keep the rows until the database changes.
  const rows = derivedCache<SessionRow | null>(db);
  const liveRow = (tokenHash: string) =>
    rows.get(tokenHash, () => (select.get(tokenHash) as SessionRow | undefined) ?? null);
  const touch = db.prepare("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?");
  const endOne = db.prepare(
    "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ? AND ended_at IS NULL",
  );
  const endAll = db.prepare(
    "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE person_id = ? AND ended_at IS NULL",
  );

  return {
    open(personId) {
      const token = newToken();
      const now = clock.now();
      const expiresAt = now + SESSION_MAX_AGE;
      insert.run(tokenDigest(token), personId, now, now, expiresAt);
      return { token, expiresAt };
    },
    authenticate(token) {
      if (!token) throw new AppError("UNAUTHENTICATED");
      const tokenHash = tokenDigest(token);
      const row = liveRow(tokenHash);
      const now = clock.now();
      if (!row) throw new AppError("UNAUTHENTICATED");
      if (now >= row.expires_at || now - row.last_seen_at >= SESSION_IDLE_TIMEOUT) {
        endOne.run(now, now >= row.expires_at ? "expired" : "idle", tokenHash);
        throw new AppError("UNAUTHENTICATED");
      }
      // The idle timer moves at most once a minute: no write on every request.
      if (now - row.last_seen_at >= TOUCH_INTERVAL) touch.run(now, tokenHash);
      return { personId: row.person_id, tokenHash };
    },
    isLive(tokenHash) {
      const row = liveRow(tokenHash);
      const now = clock.now();
      return row !== null && now < row.expires_at && now - row.last_seen_at < SESSION_IDLE_TIMEOUT;
    },
    end(token, reason) {
      endOne.run(clock.now(), reason, tokenDigest(token));
    },
    endAllFor(personId, reason) {
      return endAll.run(clock.now(), reason, personId).changes;
    },
  };
}
