import type { LoginRequest } from "../../shared/api/accounts.js";
import type { Captchas } from "../captcha/captchas.js";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import { guardedAttempt, personSubject } from "../security/attempt-guard.js";
import type { AttemptGuardStore } from "../security/attempt-guard-store.js";
import { type CodeHasher, hashPassword, verifyPassword } from "../security/secrets.js";
import type { LoginVia } from "./login-history.js";
import type { PeopleStore, Person } from "./people.js";
import type { Sessions } from "./sessions.js";

export interface LoginDeps {
  guards: AttemptGuardStore;
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
export function loginService(deps: LoginDeps) {
  // Verified against when the account does not exist, so the timing matches a real check. Made
  // on first need: hashing at start-up would slow the companion (and every CLI command) down.
  let decoyHash: Promise<string> | undefined;
  const decoy = () => {
    decoyHash ??= hashPassword("decoy-password-for-timing");
    return decoyHash;
  };

  /**
   * `surface.client`: where the session is opened, for 最近登录. `canChangePassword: false` (a
   * desktop client): a person whose password is a one-time one from the hall is refused with
   * PASSWORD_CHANGE_REQUIRED and no session, yet the right password still counts as right (the
   * counter clears). The browser gets a session that may only change it.
   */
  return async function login(
    request: LoginRequest,
    surface: { canChangePassword: boolean; client: LoginVia["client"] },
  ): Promise<LoginSuccess> {
    const person = await deps.people.byLoginIdentifier(request.account);
    const subject = person ? personSubject(person.id) : `unknown:${deps.hasher.digest("login", request.account)}`;
    // An unknown account still pays for one hash, and always fails.
    const check = async () =>
      (await verifyPassword(person?.passwordHash ?? (await decoy()), request.password)) && person !== null;
    const success = await guardedAttempt(deps, {
      subject,
      captcha: request,
      check,
      onSuccess: async () => {
        const found = person as Person;
        if (found.mustChangePassword && !surface.canChangePassword) return null;
        return {
          person: found,
          ...(await deps.sessions.open(found.id, { method: "password", client: surface.client })),
        };
      },
      refusals: { failed: "LOGIN_FAILED", locked: "ACCOUNT_LOCKED" },
    });
    if (!success) throw new AppError("PASSWORD_CHANGE_REQUIRED");
    return success;
  };
}

export type LoginService = ReturnType<typeof loginService>;
