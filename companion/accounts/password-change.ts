import type { z } from "zod";
import type { passwordChangeRequestSchema } from "../../shared/api/accounts.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { Captchas } from "../captcha/captchas.js";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import { guardedAttempt, personSubject } from "../security/attempt-guard.js";
import type { AttemptGuardStore } from "../security/attempt-guard-store.js";
import { hashPassword, verifyPassword } from "../security/secrets.js";
import { recordAccountChange } from "./account-changes.js";
import type { AccountLockedNotice } from "./account-notices.js";
import type { PeopleStore } from "./people.js";
import type { Sessions } from "./sessions.js";

export interface PasswordChangeDeps {
  people: PeopleStore;
  guards: AttemptGuardStore;
  clock: Clock;
  captchas: Captchas;
  sessions: Pick<Sessions, "endOthersFor">;
  audit: Pick<AuditLog, "append" | "anchorHead">;
  accountLocked: AccountLockedNotice;
}

/**
 * 修改密码 by the logged-in person (安全中心, or first thing after the hall's one-time password): the
 * old password, then the new one by the registration rules. The old one is the login's secret, so
 * it is tried under the login's counter (captcha after a wrong one, the lock at the fifth): a
 * session in other hands cannot guess it any faster. Changing it clears a one-time password from
 * the hall, ends the person's other sessions (popup and desktop clients; this one stays) and is
 * recorded in the audit log — all in one transaction.
 */
export function passwordChangeService(deps: PasswordChangeDeps) {
  return async function changePassword(
    personId: string,
    keptTokenHash: string,
    request: z.infer<typeof passwordChangeRequestSchema>,
  ): Promise<void> {
    const person = await deps.people.byId(personId);
    if (!person) throw new AppError("UNAUTHENTICATED");
    const passwordHash = await hashPassword(request.newPassword);
    await guardedAttempt(deps, {
      subject: personSubject(personId),
      captcha: request,
      check: () => verifyPassword(person.passwordHash, request.oldPassword),
      onSuccess: async () => {
        await deps.people.setPasswordHash(personId, passwordHash);
        await deps.sessions.endOthersFor(personId, keptTokenHash, "password-change");
        await recordAccountChange(deps.audit, { at: deps.clock.now(), personId, actor: "本人", action: "修改密码" });
      },
      onLocked: (lockedUntil) => deps.accountLocked(person, lockedUntil, deps.clock.now()),
      refusals: { failed: "OLD_PASSWORD_WRONG", locked: "ACCOUNT_LOCKED" },
    });
    await deps.audit.anchorHead();
  };
}
