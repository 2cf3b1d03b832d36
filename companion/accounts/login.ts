import type { LoginRequest } from "../../shared/api/accounts.js";
import type { Captchas } from "../captcha/captchas.js";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import { guardedAttempt, personSubject } from "../security/attempt-guard.js";
import type { AttemptGuardStore } from "../security/attempt-guard-store.js";
import { type CodeHasher, hashPassword, verifyPassword } from "../security/secrets.js";
import type { AccountLockedNotice } from "./account-notices.js";
import type { LoginVia } from "./login-history.js";
import type { LoginThrottle } from "./login-throttle.js";
import { loginIdentifierKey, type PeopleStore, type Person } from "./people.js";
import type { Sessions } from "./sessions.js";

export interface LoginDeps {
  guards: AttemptGuardStore;
  clock: Clock;
  hasher: CodeHasher;
  people: PeopleStore;
  captchas: Captchas;
  sessions: Sessions;
  throttle: LoginThrottle;
  accountLocked: AccountLockedNotice;
}

export interface LoginSuccess {
  person: Person;
  token: string;
  expiresAt: number;
}

export interface LoginSurface {
  /** A desktop client cannot change a one-time password from the hall (see below). */
  canChangePassword: boolean;
  /** Where the session is opened, for 最近登录. */
  client: LoginVia["client"];
  /** Who is trying, for the throttle: "http" (every HTTP caller together) or a paired desktop client. */
  source: string;
}

/** The counter (and so the answers) of one login identifier, whether or not an account has it. */
const identifierSubject = (hasher: CodeHasher, account: string) =>
  `login:${hasher.digest("login", loginIdentifierKey(account))}`;

/**
 * Every counter a login can have raised for this person: the account's and its identifiers' (a
 * reset or the hall's unlock clears them all, so any identifier logs in again at once).
 */
export function loginSubjects(hasher: CodeHasher, person: Person): string[] {
  const identifiers = [person.loginName, person.docNumber, ...(person.phone ? [person.phone] : [])];
  return [personSubject(person.id), ...identifiers.map((account) => identifierSubject(hasher, account))];
}

/**
 * Password login, shared by every surface (browser, desktop clients). Each identifier (手机号,
 * 证件号码, 登录名, known or not) has its own counter, and the answers follow it alone: the captcha
 * after a wrong try, the tries left, the lock at its fifth failure. So an answer never tells
 * whether two identifiers belong to one account, or whether an identifier belongs to any. The
 * seed's rule — five wrong passwords lock the account for 120 minutes — is kept on the person's own
 * counter, which every identifier's tries count on: while it is locked, no password is checked
 * through any identifier (the answers stay those of the identifier's counter), and the holder is
 * told by text and in the popup. Unknown identifiers pay for one hash like known ones.
 */
export function loginService(deps: LoginDeps) {
  // Verified against when no real check may be made, so the timing matches a real check. Made on
  // first need: hashing at start-up would slow the companion (and every CLI command) down.
  let decoyHash: Promise<string> | undefined;
  const decoy = async () => {
    decoyHash ??= hashPassword("decoy-password-for-timing");
    return verifyPassword(await decoyHash, "not-the-decoy-password");
  };

  /**
   * `canChangePassword: false` (a desktop client): a person whose password is a one-time one from
   * the hall is refused with PASSWORD_CHANGE_REQUIRED and no session, yet the right password still
   * counts as right (the counter clears). The browser gets a session that may only change it.
   */
  return async function login(request: LoginRequest, surface: LoginSurface): Promise<LoginSuccess> {
    const subject = identifierSubject(deps.hasher, request.account);
    const person = await deps.people.byLoginIdentifier(request.account);
    const admitted = deps.throttle.admit(surface.source, subject);
    const success = await guardedAttempt(deps, {
      subject,
      // An unknown identifier has an account counter of its own, with the same work as a person's.
      shared: { subject: person ? personSubject(person.id) : `${subject}:account`, decoy },
      captchaAlways: admitted.captchaAlways,
      captcha: request,
      // An unknown identifier pays for one hash too, and is never right.
      check: async () => {
        if (person) return verifyPassword(person.passwordHash, request.password);
        await decoy();
        return false;
      },
      onSuccess: async () => {
        const found = person as Person;
        if (found.mustChangePassword && !surface.canChangePassword) return null;
        return {
          person: found,
          ...(await deps.sessions.open(found.id, { method: "password", client: surface.client })),
        };
      },
      onLocked: (lockedUntil) => {
        if (person) deps.accountLocked(person, lockedUntil, deps.clock.now());
      },
      refusals: { failed: "LOGIN_FAILED", locked: "ACCOUNT_LOCKED" },
    }).catch((error: unknown) => {
      const code = error instanceof AppError ? error.code : null;
      admitted.settle(code === "LOGIN_FAILED" || code === "ACCOUNT_LOCKED");
      throw error;
    });
    admitted.settle(false);
    if (!success) throw new AppError("PASSWORD_CHANGE_REQUIRED");
    return success;
  };
}

export type LoginService = ReturnType<typeof loginService>;
