import type { z } from "zod";
import type { passwordChangeRequestSchema } from "../../shared/api/accounts.js";
import type { Captchas } from "../captcha/captchas.js";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import { guardedAttempt, personSubject } from "../security/attempt-guard.js";
import type { AttemptGuardStore } from "../security/attempt-guard-store.js";
import { hashPassword, verifyPassword } from "../security/secrets.js";
import type { PeopleStore } from "./people.js";

export interface PasswordChangeDeps {
  people: PeopleStore;
  guards: AttemptGuardStore;
  clock: Clock;
  captchas: Captchas;
}

/**
 * 修改密码 by the logged-in person: the old password, then the new one by the registration rules.
 * The old one is the login's secret, so it is tried under the login's counter (captcha after a
 * wrong one, the lock at the fifth): a session in other hands cannot guess it any faster. Changing
 * it clears a one-time password from the hall.
 */
export function passwordChangeService(deps: PasswordChangeDeps) {
  return async function changePassword(
    personId: string,
    request: z.infer<typeof passwordChangeRequestSchema>,
  ): Promise<void> {
    const person = await deps.people.byId(personId);
    if (!person) throw new AppError("UNAUTHENTICATED");
    const passwordHash = await hashPassword(request.newPassword);
    await guardedAttempt(deps, {
      subject: personSubject(personId),
      captcha: request,
      check: () => verifyPassword(person.passwordHash, request.oldPassword),
      onSuccess: () => deps.people.setPasswordHash(personId, passwordHash),
      refusals: { failed: "OLD_PASSWORD_WRONG", locked: "ACCOUNT_LOCKED" },
    });
  };
}
