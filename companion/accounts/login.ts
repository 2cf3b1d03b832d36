import type { LoginRequest } from "../../shared/api/accounts.js";
import type { Captchas } from "../captcha/captchas.js";
import type { Clock } from "../clock.js";
import { atomically, type Db } from "../db/database.js";
import { AppError, secondsUntil } from "../errors.js";
import { type CodeHasher, hashPassword, verifyPassword } from "../security/secrets.js";
import { LOGIN_MAX_FAILURES, loginGuards, personSubject, reserveAttempt } from "./login-guard.js";
import type { PeopleStore, Person } from "./people.js";
import type { Sessions } from "./sessions.js";

export interface LoginDeps {
  db: Db;
  clock: Clock;
  hasher: CodeHasher;
  people: PeopleStore;
  captchas: Captchas;
  sessions: Sessions;
}

export interface LoginSuccess {
  person: Person;
  token: string;
  expiresAt: number;
}

/**
 * Password login, shared by every surface (browser now, desktop clients later). Unknown accounts
 * go through the same counter and the same hashing work, so the answers do not tell them apart.
 */
export function passwordLogin(deps: LoginDeps) {
  const guards = loginGuards(deps.db);
  // Verified against when the account does not exist, so the timing matches a real check. Made
  // on first need: hashing at start-up would slow the companion (and every CLI command) down.
  let decoyHash: Promise<string> | undefined;
  const decoy = () => {
    decoyHash ??= hashPassword("decoy-password-for-timing");
    return decoyHash;
  };

  return async function login(request: LoginRequest): Promise<LoginSuccess> {
    const person = deps.people.byLoginIdentifier(request.account);
    const subject = person ? personSubject(person.id) : `unknown:${deps.hasher.digest("login", request.account)}`;

    const reservation = atomically(deps.db, () => {
      const now = deps.clock.now();
      const guard = guards.get(subject);
      // The captcha is consumed (and committed) only when this try needs it.
      const captchaNeeded = guard?.captcha_required === 1 && !(guard.locked_until !== null && guard.locked_until > now);
      const captcha = captchaNeeded ? deps.captchas.consume(request.captchaId, request.captchaAnswer) : null;
      const { reservation, next } = reserveAttempt(guard, now, captcha === null ? null : captcha === "ok");
      if (reservation.kind === "captcha-required") return { ...reservation, captcha };
      if (reservation.kind === "reserved") guards.put(subject, next);
      return { ...reservation, captcha };
    });

    if (reservation.kind === "locked") {
      throw new AppError("ACCOUNT_LOCKED", 423, {
        retryAfter: secondsUntil(reservation.lockedUntil, deps.clock.now()),
      });
    }
    if (reservation.kind === "captcha-required") {
      const code = reservation.captcha === "missing" ? "CAPTCHA_REQUIRED" : "CAPTCHA_INVALID";
      throw new AppError(code, 400, { captchaRequired: true });
    }

    // An unknown account still pays for one hash, and always fails.
    const passwordOk = await verifyPassword(person?.passwordHash ?? (await decoy()), request.password);

    if (person && passwordOk) {
      const session = atomically(deps.db, () => {
        guards.clear(subject);
        return deps.sessions.open(person.id);
      });
      return { person, ...session };
    }

    atomically(deps.db, () => guards.markFailed(subject));
    const failures = reservation.failuresSoFar;
    if (failures >= LOGIN_MAX_FAILURES) {
      const lockedUntil = guards.get(subject)?.locked_until ?? deps.clock.now();
      throw new AppError("ACCOUNT_LOCKED", 423, { retryAfter: secondsUntil(lockedUntil, deps.clock.now()) });
    }
    throw new AppError("LOGIN_FAILED", 401, { captchaRequired: true, attemptsLeft: LOGIN_MAX_FAILURES - failures });
  };
}
