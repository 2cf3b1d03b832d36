import { forUpdateSql, keyLockSql } from "../db/dialect.js";
import type { Sql } from "../db/sql.js";

export type SmsPurpose = "register" | "reset-password" | "declaration-reset" | "bind-phone";

/** The newest code sent for a purpose to a phone, neither used nor replaced. */
export interface OpenSmsCode {
  id: string;
  codeHash: string;
  expiresAt: number;
  failures: number;
}

export interface NewSmsCode {
  id: string;
  purpose: SmsPurpose;
  phone: string;
  codeHash: string;
  sentAt: number;
  expiresAt: number;
}

const LAST_SENT = "SELECT sent_at FROM sms_codes WHERE purpose = ? AND phone = ? ORDER BY sent_at DESC LIMIT 1";
const SENT_SINCE = "SELECT COUNT(*) FROM sms_codes WHERE phone = ? AND sent_at > ?";
const REPLACE_OPEN =
  "UPDATE sms_codes SET replaced_at = ? WHERE purpose = ? AND phone = ? AND used_at IS NULL AND replaced_at IS NULL";
const INSERT = `INSERT INTO sms_codes (id, purpose, phone, code_hash, sent_at, expires_at)
  VALUES (@id, @purpose, @phone, @codeHash, @sentAt, @expiresAt)`;
const DROP = "DELETE FROM sms_codes WHERE id = ?";
const OPEN = `SELECT id, code_hash, expires_at, failures FROM sms_codes
  WHERE purpose = ? AND phone = ? AND used_at IS NULL AND replaced_at IS NULL
  ORDER BY sent_at DESC LIMIT 1`;
const COUNT_FAILURE = "UPDATE sms_codes SET failures = failures + 1 WHERE id = ?";
const MARK_USED = "UPDATE sms_codes SET used_at = ? WHERE id = ?";

/** SMS verification codes, each kept hashed. */
export function smsCodeStore(sql: Sql) {
  const lockedOpen = OPEN + forUpdateSql(sql.dialect);
  const phoneLock = keyLockSql(sql.dialect);
  return {
    /**
     * Until the transaction ends, other companions' sends to the phone wait: the cooldown and the
     * daily limit are read and the code inserted as one step, with no row yet to lock.
     */
    async lockPhone(phone: string): Promise<void> {
      if (phoneLock) await sql.one(phoneLock, [`sms-send:${phone}`]);
    },
    /** When a code for the purpose last went to the phone, if ever. */
    lastSentAt: (purpose: SmsPurpose, phone: string) => sql.value<number>(LAST_SENT, [purpose, phone]),
    /** How many codes of any purpose went to the phone after `since`. */
    sentSince: async (phone: string, since: number) => (await sql.value<number>(SENT_SINCE, [phone, since])) ?? 0,
    /** Retires the codes for the purpose still open at the phone. */
    replaceOpen: (purpose: SmsPurpose, phone: string, now: number) => sql.run(REPLACE_OPEN, [now, purpose, phone]),
    insert: (code: NewSmsCode) => sql.run(INSERT, { ...code }),
    drop: (id: string) => sql.run(DROP, [id]),
    /**
     * The open code, read to check a guess inside the transaction that counts it: its row is locked
     * until that transaction ends, so a guess on another companion waits for this one's count.
     */
    async lockedOpenCodeOf(purpose: SmsPurpose, phone: string): Promise<OpenSmsCode | undefined> {
      const row = await sql.one<{ id: string; code_hash: string; expires_at: number; failures: number }>(lockedOpen, [
        purpose,
        phone,
      ]);
      return row && { id: row.id, codeHash: row.code_hash, expiresAt: row.expires_at, failures: row.failures };
    },
    countFailure: (id: string) => sql.run(COUNT_FAILURE, [id]),
    markUsed: (id: string, now: number) => sql.run(MARK_USED, [now, id]),
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
  };
}

export type SmsCodeStore = ReturnType<typeof smsCodeStore>;
