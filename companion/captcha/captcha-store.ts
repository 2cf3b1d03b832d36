import type { Sql } from "../db/sql.js";

/** An issued captcha as kept: its answer only hashed. */
export interface StoredCaptcha {
  answerHash: string;
  expiresAt: number;
}

const DROP_EXPIRED = "DELETE FROM captchas WHERE expires_at <= ?";
const INSERT = "INSERT INTO captchas (id, answer_hash, expires_at) VALUES (?, ?, ?)";
// Expiry follows issue order, so the newest are those that expire last.
const KEEP_NEWEST =
  "DELETE FROM captchas WHERE id NOT IN (SELECT id FROM captchas ORDER BY expires_at DESC, id LIMIT ?)";
const TAKE = "DELETE FROM captchas WHERE id = ? RETURNING answer_hash, expires_at";

export function captchaStore(sql: Sql) {
  return {
    dropExpired: (now: number) => sql.run(DROP_EXPIRED, [now]),
    insert: (id: string, captcha: StoredCaptcha) => sql.run(INSERT, [id, captcha.answerHash, captcha.expiresAt]),
    keepNewest: (count: number) => sql.run(KEEP_NEWEST, [count]),
    /** Removes the captcha and gives it back: each can be answered once. */
    async take(id: string): Promise<StoredCaptcha | undefined> {
      const row = await sql.one<{ answer_hash: string; expires_at: number }>(TAKE, [id]);
      return row && { answerHash: row.answer_hash, expiresAt: row.expires_at };
    },
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
  };
}

export type CaptchaStore = ReturnType<typeof captchaStore>;
