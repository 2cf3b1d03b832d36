import type { ErrorCode } from "../../shared/errors.js";
import type { Captchas } from "../captcha/captchas.js";
import type { Clock } from "../clock.js";
import { HOUR } from "../clock.js";
import type { Sql } from "../db/sql.js";
import { AppError, secondsUntil } from "../errors.js";

/**
 * Seed: 密码错误超过 5 次(含)后会被锁定，可以在 120 分钟之后再试 — for the login password and for the
 * 申报密码 alike.
 */
export const MAX_FAILURES = 5;
export const LOCK_DURATION = 2 * HOUR;

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
      locked_until: failures >= MAX_FAILURES ? now + LOCK_DURATION : null,
    },
  };
}

/** Store side of the guard: each call is meant to run inside the caller's transaction. */
export function attemptGuards(sql: Sql) {
  return {
    get: (subject: string) =>
      sql.one<GuardRow>("SELECT failures, captcha_required, locked_until FROM login_guards WHERE subject = ?", [
        subject,
      ]),
    put: (subject: string, row: GuardRow) =>
      sql.run(
        `INSERT INTO login_guards (subject, failures, captcha_required, locked_until) VALUES (?, ?, ?, ?)
         ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, captcha_required = excluded.captcha_required, locked_until = excluded.locked_until`,
        [subject, row.failures, row.captcha_required, row.locked_until],
      ),
    markFailed: (subject: string) =>
      sql.run("UPDATE login_guards SET captcha_required = 1 WHERE subject = ?", [subject]),
    /** Success, or 忘记密码: no count, no captcha, no lock. */
    clear: (subject: string) => sql.run("DELETE FROM login_guards WHERE subject = ?", [subject]),
  };
}

export const personSubject = (personId: string) => `person:${personId}`;

export interface GuardedAttemptDeps {
  sql: Sql;
  clock: Clock;
  captchas: Captchas;
}

export interface Attempt<T> {
  /** Whose counter: a person's login, or a person's 申报密码 at one unit. */
  subject: string;
  captcha: { captchaId?: string | undefined; captchaAnswer?: string | undefined };
  /** The (slow) secret check. */
  check: () => Promise<boolean>;
  /** Runs in the transaction that clears the counter. */
  onSuccess: () => Promise<T>;
  refusals: { failed: ErrorCode; locked: ErrorCode };
}

/**
 * One guessing attempt at a secret, under the counter of `subject`: refused while locked; the
 * captcha demanded after a failure; the attempt counted before the (slow) check so concurrent
 * tries cannot slip past the limit; a success clears the counter (and runs `onSuccess` in the same
 * transaction); a failure answers `failed` with the tries left, or `locked` at the fifth.
 */
export function guardedAttempt<T>(deps: GuardedAttemptDeps, attempt: Attempt<T>): Promise<T> {
  return oneAtATime(attempt.subject, () => judge(deps, attempt));
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Tries at the same subject run one after another in this process. The database counter alone
 * keeps concurrent guesses from slipping past the limit, but it would also turn away concurrent
 * right answers as if they were wrong; queued, each try is judged on the outcome of the previous.
 */
function oneAtATime<T>(key: string, run: () => Promise<T>): Promise<T> {
  const result = (queues.get(key) ?? Promise.resolve()).then(run);
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return result;
}

async function judge<T>(deps: GuardedAttemptDeps, attempt: Attempt<T>): Promise<T> {
  const { subject, captcha, check, onSuccess, refusals } = attempt;
  const guards = attemptGuards(deps.sql);
  const reservation = await deps.sql.transaction(async () => {
    const now = deps.clock.now();
    const guard = await guards.get(subject);
    // The captcha is consumed (and committed) only when this try needs it.
    const captchaNeeded = guard?.captcha_required === 1 && !(guard.locked_until !== null && guard.locked_until > now);
    const captchaCheck = captchaNeeded ? await deps.captchas.consume(captcha.captchaId, captcha.captchaAnswer) : null;
    const { reservation, next } = reserveAttempt(guard, now, captchaCheck === null ? null : captchaCheck === "ok");
    if (reservation.kind === "reserved") await guards.put(subject, next);
    return { ...reservation, captchaCheck };
  });

  if (reservation.kind === "locked") {
    throw new AppError(refusals.locked, { retryAfter: secondsUntil(reservation.lockedUntil, deps.clock.now()) });
  }
  if (reservation.kind === "captcha-required") {
    throw new AppError(reservation.captchaCheck === "missing" ? "CAPTCHA_REQUIRED" : "CAPTCHA_INVALID", {
      captchaRequired: true,
    });
  }

  if (await check()) {
    return deps.sql.transaction(async () => {
      await guards.clear(subject);
      return onSuccess();
    });
  }

  await guards.markFailed(subject);
  if (reservation.failuresSoFar >= MAX_FAILURES) {
    const lockedUntil = (await guards.get(subject))?.locked_until ?? deps.clock.now();
    throw new AppError(refusals.locked, { retryAfter: secondsUntil(lockedUntil, deps.clock.now()) });
  }
  throw new AppError(refusals.failed, {
    captchaRequired: true,
    attemptsLeft: MAX_FAILURES - reservation.failuresSoFar,
  });
}
