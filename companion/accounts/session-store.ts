import { derivedCache } from "../db/derived-cache.js";
import type { Sql } from "../db/sql.js";

/** A session not yet ended, as its timers stand. */
export interface OpenSession {
  personId: string;
  lastSeenAt: number;
  expiresAt: number;
  /** The person's password is a one-time one from the hall, not yet changed. */
  mustChangePassword: boolean;
}

interface SessionRow {
  person_id: string;
  last_seen_at: number;
  expires_at: number;
  must_change_password: number;
}

const INSERT =
  "INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)";
// The person's must-change mark comes with the session in the same read: a request costs no more for it.
const OPEN = `SELECT s.person_id, s.last_seen_at, s.expires_at, p.must_change_password
  FROM sessions s JOIN people p ON p.id = s.person_id WHERE s.token_hash = ? AND s.ended_at IS NULL`;
const TOUCH = "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?";
const END_ONE =
  "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ? AND ended_at IS NULL RETURNING person_id";
const END_ALL_OF = "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE person_id = ? AND ended_at IS NULL";
const END_OTHERS_OF =
  "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE person_id = ? AND token_hash <> ? AND ended_at IS NULL";

/** Login sessions, by the digest of their token (the token itself is never stored). */
export function sessionStore(sql: Sql) {
  // Every request of a logged-in client reads its session: keep the rows until the database changes.
  const rows = derivedCache<OpenSession | null>(sql);
  return {
    insert: (tokenHash: string, personId: string, openedAt: number, expiresAt: number) =>
      sql.run(INSERT, [tokenHash, personId, openedAt, openedAt, expiresAt]),
    /** The session behind a token digest unless it was ended, whatever its timers say. */
    openSession: (tokenHash: string) =>
      rows.get(tokenHash, async () => {
        const row = await sql.one<SessionRow>(OPEN, [tokenHash]);
        return row
          ? {
              personId: row.person_id,
              lastSeenAt: row.last_seen_at,
              expiresAt: row.expires_at,
              mustChangePassword: row.must_change_password === 1,
            }
          : null;
      }),
    touch: (tokenHash: string, now: number) => sql.run(TOUCH, [now, tokenHash]),
    /** Whose session it ended; undefined when it had ended already. */
    end: (tokenHash: string, now: number, reason: string) => sql.value<string>(END_ONE, [now, reason, tokenHash]),
    /** How many sessions it ended. */
    endAllOf: (personId: string, now: number, reason: string) => sql.run(END_ALL_OF, [now, reason, personId]),
    /** How many sessions it ended: all of the person's but the one behind `keptTokenHash`. */
    endOthersOf: (personId: string, keptTokenHash: string, now: number, reason: string) =>
      sql.run(END_OTHERS_OF, [now, reason, personId, keptTokenHash]),
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
  };
}

export type SessionStore = ReturnType<typeof sessionStore>;
