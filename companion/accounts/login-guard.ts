import { HOUR } from "../clock.js";
import type { Db } from "../db/database.js";

/** Seed: 密码错误超过 5 次(含)后会被锁定，可以在 120 分钟之后再试. */
export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_LOCK_DURATION = 2 * HOUR;

interface GuardRow {
  failures: number;
  captcha_required: number;
  locked_until: number | null;
}

export type AttemptReservation =
  | { kind: "locked"; lockedUntil: number }
  | { kind: "captcha-required" }
  | { kind: "reserved"; failuresSoFar: number };

/**
 * Pure lockout arithmetic. A try is counted as a failure *before* the (slow) password check, so
 * concurrent tries cannot all slip past the limit; a success then clears the count. The try that
 * brings the count to the limit locks provisionally: if it turns out right, the lock is lifted.
 */
export function reserveAttempt(
  guard: GuardRow | undefined,
  now: number,
  captchaPassed: boolean | null,
): { reservation: AttemptReservation; next: GuardRow } {
  let row: GuardRow = guard ?? { failures: 0, captcha_required: 0, locked_until: null };
  if (row.locked_until !== null && row.locked_until > now) {
    return { reservation: { kind: "locked", lockedUntil: row.locked_until }, next: row };
  }
  if (row.locked_until !== null) row = { ...row, failures: 0, locked_until: null }; // the lock has run out
  if (row.captcha_required && captchaPassed !== true) {
    return { reservation: { kind: "captcha-required" }, next: row };
  }
  const failures = row.failures + 1;
  return {
    reservation: { kind: "reserved", failuresSoFar: failures },
    next: {
      failures,
      captcha_required: row.captcha_required,
      locked_until: failures >= LOGIN_MAX_FAILURES ? now + LOGIN_LOCK_DURATION : null,
    },
  };
}

/** Store side of the guard: each call is meant to run inside the caller's transaction. */
export function loginGuards(db: Db) {
  const select = db.prepare("SELECT failures, captcha_required, locked_until FROM login_guards WHERE subject = ?");
  const upsert = db.prepare(
    `INSERT INTO login_guards (subject, failures, captcha_required, locked_until) VALUES (@subject, @failures, @captcha_required, @locked_until)
     ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, captcha_required = excluded.captcha_required, locked_until = excluded.locked_until`,
  );
  const requireCaptcha = db.prepare("UPDATE login_guards SET captcha_required = 1 WHERE subject = ?");
  const clear = db.prepare("DELETE FROM login_guards WHERE subject = ?");
  return {
    get: (subject: string) => select.get(subject) as GuardRow | undefined,
    put: (subject: string, row: GuardRow) => upsert.run({ subject, ...row }),
    markFailed: (subject: string) => requireCaptcha.run(subject),
    /** Success, or 忘记密码: no count, no captcha, no lock. */
    clear: (subject: string) => clear.run(subject),
  };
}

export const personSubject = (personId: string) => `person:${personId}`;
