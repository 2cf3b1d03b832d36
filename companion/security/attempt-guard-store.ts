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
const UPSERT = `INSERT INTO login_guards (subject, failures, captcha_required, locked_until) VALUES (?, ?, ?, ?)
  ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, captcha_required = excluded.captcha_required, locked_until = excluded.locked_until`;
const REQUIRE_CAPTCHA = "UPDATE login_guards SET captcha_required = 1 WHERE subject = ?";
const CLEAR = "DELETE FROM login_guards WHERE subject = ?";

/** The guessing counters (login password, 申报密码), by subject. */
export function attemptGuardStore(sql: Sql) {
  return {
    async guardOf(subject: string): Promise<Guard | undefined> {
      const row = await sql.one<GuardRow>(SELECT, [subject]);
      return (
        row && { failures: row.failures, captchaRequired: row.captcha_required === 1, lockedUntil: row.locked_until }
      );
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
