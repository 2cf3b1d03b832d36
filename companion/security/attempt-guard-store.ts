import { forUpdateSql } from "../db/dialect.js";
import type { Sql } from "../db/sql.js";

/** One subject's guessing counter: the tries counted, whether a captcha is asked for, the lock. */
export interface Guard {
  failures: number;
  captchaRequired: boolean;
  lockedUntil: number | null;
}

interface GuardRow {
  failures: number;
  captcha_required: number;
  locked_until: number | null;
}

const SELECT = "SELECT failures, captcha_required, locked_until FROM login_guards WHERE subject = ?";
// A row of zeros counts the same as no row; it gives the first try a row to lock.
const ENSURE = `INSERT INTO login_guards (subject, failures, captcha_required, locked_until) VALUES (?, 0, 0, NULL)
  ON CONFLICT (subject) DO NOTHING`;
const UPSERT = `INSERT INTO login_guards (subject, failures, captcha_required, locked_until) VALUES (?, ?, ?, ?)
  ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, captcha_required = excluded.captcha_required, locked_until = excluded.locked_until`;
// An upsert: a right answer on another companion may have cleared the row since this try was counted.
const REQUIRE_CAPTCHA = `INSERT INTO login_guards (subject, failures, captcha_required, locked_until) VALUES (?, 0, 1, NULL)
  ON CONFLICT (subject) DO UPDATE SET captcha_required = 1`;
const CLEAR = "DELETE FROM login_guards WHERE subject = ?";

/** The guessing counters (login password, 申报密码), by subject. */
export function attemptGuardStore(sql: Sql) {
  const locked = SELECT + forUpdateSql(sql.dialect);
  const guardFrom = (row: GuardRow | undefined): Guard | undefined =>
    row && { failures: row.failures, captchaRequired: row.captcha_required === 1, lockedUntil: row.locked_until };
  return {
    guardOf: async (subject: string) => guardFrom(await sql.one<GuardRow>(SELECT, [subject])),
    /**
     * The counter read to decide a try, inside the transaction that writes the decision: its row is
     * locked until that transaction ends, so a try on another companion (another connection) waits
     * and reads the count this one writes.
     */
    async lockedGuardOf(subject: string): Promise<Guard | undefined> {
      await sql.run(ENSURE, [subject]);
      return guardFrom(await sql.one<GuardRow>(locked, [subject]));
    },
    put: (subject: string, guard: Guard) =>
      sql.run(UPSERT, [subject, guard.failures, guard.captchaRequired ? 1 : 0, guard.lockedUntil]),
    requireCaptcha: (subject: string) => sql.run(REQUIRE_CAPTCHA, [subject]),
    /** Success, or 忘记密码: no count, no captcha, no lock. */
    clear: (subject: string) => sql.run(CLEAR, [subject]),
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
  };
}

export type AttemptGuardStore = ReturnType<typeof attemptGuardStore>;
