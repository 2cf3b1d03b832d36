import type { Clock } from "../clock.js";
import { HOUR, MINUTE } from "../clock.js";
import { derivedCache } from "../db/derived-cache.js";
import type { Sql } from "../db/sql.js";
import { AppError } from "../errors.js";
import { newToken, tokenDigest } from "../security/secrets.js";

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

interface SessionRow {
  person_id: string;
  last_seen_at: number;
  expires_at: number;
}

const END_ONE = "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ? AND ended_at IS NULL";

export function sessions(sql: Sql, clock: Clock): Sessions {
  // Every request of a logged-in client reads its session: keep the rows until the database changes.
  const rows = derivedCache<SessionRow | null>(sql);
  const liveRow = (tokenHash: string) =>
    rows.get(
      tokenHash,
      async () =>
        (await sql.one<SessionRow>(
          "SELECT person_id, last_seen_at, expires_at FROM sessions WHERE token_hash = ? AND ended_at IS NULL",
          [tokenHash],
        )) ?? null,
    );

  return {
    async open(personId) {
      const token = newToken();
      const now = clock.now();
      const expiresAt = now + SESSION_MAX_AGE;
      await sql.run(
        "INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        [tokenDigest(token), personId, now, now, expiresAt],
      );
      return { token, expiresAt };
    },
    async authenticate(token) {
      if (!token) throw new AppError("UNAUTHENTICATED");
      const tokenHash = tokenDigest(token);
      const row = await liveRow(tokenHash);
      const now = clock.now();
      if (!row) throw new AppError("UNAUTHENTICATED");
      if (now >= row.expires_at || now - row.last_seen_at >= SESSION_IDLE_TIMEOUT) {
        await sql.run(END_ONE, [now, now >= row.expires_at ? "expired" : "idle", tokenHash]);
        throw new AppError("UNAUTHENTICATED");
      }
      // The idle timer moves at most once a minute: no write on every request.
      if (now - row.last_seen_at >= TOUCH_INTERVAL) {
        await sql.run("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", [now, tokenHash]);
      }
      return { personId: row.person_id, tokenHash };
    },
    async isLive(tokenHash) {
      const row = await liveRow(tokenHash);
      const now = clock.now();
      return row !== null && now < row.expires_at && now - row.last_seen_at < SESSION_IDLE_TIMEOUT;
    },
    async end(token, reason) {
      await sql.run(END_ONE, [clock.now(), reason, tokenDigest(token)]);
    },
    endAllFor(personId, reason) {
      return sql.run("UPDATE sessions SET ended_at = ?, end_reason = ? WHERE person_id = ? AND ended_at IS NULL", [
        clock.now(),
        reason,
        personId,
      ]);
    },
  };
}
