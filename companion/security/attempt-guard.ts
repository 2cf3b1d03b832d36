import type { ErrorCode } from "../../shared/errors.js";
import type { Captchas } from "../captcha/captchas.js";
import type { Clock } from "../clock.js";
import { HOUR } from "../clock.js";
import { AppError, secondsUntil } from "../errors.js";
import type { AttemptGuardStore, Guard } from "./attempt-guard-store.js";

/**
 * Seed: 密码错误超过 5 次(含)后会被锁定，可以在 120 分钟之后再试 — for the login password and for the
 * 申报密码 alike.
 */
export const MAX_FAILURES = 5;
export const LOCK_DURATION = 2 * HOUR;

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
  guard: Guard | undefined,
  now: number,
  captchaPassed: boolean | null,
): { reservation: AttemptReservation; next: Guard } {
  let current: Guard = guard ?? { failures: 0, captchaRequired: false, lockedUntil: null };
  if (current.lockedUntil !== null && current.lockedUntil > now) {
    return { reservation: { kind: "locked", lockedUntil: current.lockedUntil }, next: current };
  }
  if (current.lockedUntil !== null) current = { ...current, failures: 0, lockedUntil: null }; // the lock has run out
  if (current.captchaRequired && captchaPassed !== true) {
    return { reservation: { kind: "captcha-required" }, next: current };
  }
  const failures = current.failures + 1;
  return {
    reservation: { kind: "reserved", failuresSoFar: failures },
    next: {
      failures,
      captchaRequired: current.captchaRequired,
      lockedUntil: failures >= MAX_FAILURES ? now + LOCK_DURATION : null,
    },
  };
}

export const personSubject = (personId: string) => `person:${personId}`;

export interface GuardedAttemptDeps {
  guards: AttemptGuardStore;
  clock: Clock;
  captchas: Captchas;
}

export interface Attempt<T> {
  /** Whose counter answers: a login identifier, a person's own password check, a person's 申报密码 at one unit. */
  subject: string;
  /**
   * A counter several subjects share (the login identifiers of one person): each checked try
   * counts there too, and while it is locked the secret is not checked (`decoy` does the same
   * work). It never shapes the answer, which follows `subject` alone: answers do not tell which
   * subjects share a counter.
   */
  shared?: { subject: string; decoy: () => Promise<unknown> } | undefined;
  /** Every try needs the captcha, a first one too (the client has failed at many accounts lately). */
  captchaAlways?: boolean | undefined;
  captcha: { captchaId?: string | undefined; captchaAnswer?: string | undefined };
  /** The (slow) secret check. */
  check: () => Promise<boolean>;
  /** Runs in the transaction that clears the counter. */
  onSuccess: () => Promise<T>;
  /** A wrong try locked the enforcing counter (`shared`, else `subject`): tell the holder. Must not block. */
  onLocked?: ((lockedUntil: number) => void) | undefined;
  refusals: { failed: ErrorCode; locked: ErrorCode };
}

const NO_GUARD: Guard = { failures: 0, captchaRequired: false, lockedUntil: null };

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

/**
 * The counting step of a try, one transaction: the counter is read locked, the captcha consumed if
 * needed, and the try counted before any check. Only guardedAttempt (and the tests racing it from
 * several companions) call it.
 */
export function reserveTry(
  deps: GuardedAttemptDeps,
  subject: string,
  captcha: Attempt<unknown>["captcha"],
  options: Pick<Attempt<unknown>, "shared" | "captchaAlways"> = {},
) {
  const { guards } = deps;
  return guards.transaction(async () => {
    const now = deps.clock.now();
    const stored = await guards.lockedGuardOf(subject);
    const guard = options.captchaAlways ? { ...(stored ?? NO_GUARD), captchaRequired: true } : stored;
    // The captcha is consumed (and committed) only when this try needs it.
    const captchaNeeded = guard?.captchaRequired === true && !(guard.lockedUntil !== null && guard.lockedUntil > now);
    const captchaCheck = captchaNeeded ? await deps.captchas.consume(captcha.captchaId, captcha.captchaAnswer) : null;
    const { reservation, next } = reserveAttempt(guard, now, captchaCheck === null ? null : captchaCheck === "ok");
    if (reservation.kind !== "reserved") return { ...reservation, captchaCheck, shared: null };
    await guards.put(subject, next);
    return {
      ...reservation,
      captchaCheck,
      shared: options.shared ? await reserveShared(guards, options.shared.subject, now) : null,
    };
  });
}

/**
 * The try counted on the shared counter too (locked after the subject's row: always in that order,
 * so two tries never wait on each other). Its captcha flag is the subject's business, not this one's.
 */
async function reserveShared(guards: AttemptGuardStore, subject: string, now: number) {
  const stored = (await guards.lockedGuardOf(subject)) ?? NO_GUARD;
  const { reservation, next } = reserveAttempt({ ...stored, captchaRequired: false }, now, null);
  if (reservation.kind !== "reserved") return { checkable: false, lockedUntil: null };
  await guards.put(subject, { ...next, captchaRequired: stored.captchaRequired });
  return { checkable: true, lockedUntil: next.lockedUntil };
}

async function judge<T>(deps: GuardedAttemptDeps, attempt: Attempt<T>): Promise<T> {
  const { subject, shared, captcha, check, onSuccess, refusals } = attempt;
  const { guards } = deps;
  const reservation = await reserveTry(deps, subject, captcha, attempt);

  if (reservation.kind === "locked") {
    throw new AppError(refusals.locked, { retryAfter: secondsUntil(reservation.lockedUntil, deps.clock.now()) });
  }
  if (reservation.kind === "captcha-required") {
    throw new AppError(reservation.captchaCheck === "missing" ? "CAPTCHA_REQUIRED" : "CAPTCHA_INVALID", {
      captchaRequired: true,
    });
  }

  const checkable = reservation.shared?.checkable ?? true;
  // While the shared counter is locked nothing is checked, yet the same work is done.
  const right = checkable ? await check() : await shared?.decoy().then(() => false);
  if (right) {
    return guards.transaction(async () => {
      await guards.clear(subject);
      if (shared) await guards.clear(shared.subject);
      return onSuccess();
    });
  }

  await guards.requireCaptcha(subject);
  if (shared && checkable) await guards.requireCaptcha(shared.subject);
  // The try that reached the limit was wrong: the lock stands.
  const lockedNow = shared ? reservation.shared?.lockedUntil : reservation.failuresSoFar >= MAX_FAILURES;
  if (lockedNow && attempt.onLocked) {
    const lockedUntil = (await guards.guardOf(shared?.subject ?? subject))?.lockedUntil;
    if (lockedUntil) attempt.onLocked(lockedUntil);
  }
  if (reservation.failuresSoFar >= MAX_FAILURES) {
    const lockedUntil = (await guards.guardOf(subject))?.lockedUntil ?? deps.clock.now();
    throw new AppError(refusals.locked, { retryAfter: secondsUntil(lockedUntil, deps.clock.now()) });
  }
  throw new AppError(refusals.failed, {
    captchaRequired: true,
    attemptsLeft: MAX_FAILURES - reservation.failuresSoFar,
  });
}
