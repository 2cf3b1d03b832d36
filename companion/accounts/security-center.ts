import type { z } from "zod";
import type { PageQuery } from "../../shared/api/paging.js";
import type { bindPhoneRequestSchema, LoginRecord } from "../../shared/api/security.js";
import { maskPhone } from "../../shared/identity/account-rules.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { Captchas } from "../captcha/captchas.js";
import type { Clock } from "../clock.js";
import { readPage } from "../db/paging.js";
import { AppError } from "../errors.js";
import { guardedAttempt, personSubject } from "../security/attempt-guard.js";
import type { AttemptGuardStore } from "../security/attempt-guard-store.js";
import { verifyPassword } from "../security/secrets.js";
import type { SmsGateway } from "../sms/gateway.js";
import type { SmsCodes } from "../sms/sms-codes.js";
import { recordAccountChange } from "./account-changes.js";
import { type AccountLockedNotice, phoneReplacedNotice } from "./account-notices.js";
import type { LoginEntry, LoginHistoryStore } from "./login-history.js";
import type { PeopleStore, Person } from "./people.js";
import { withinTimers } from "./sessions.js";

export interface SecurityCenterDeps {
  people: PeopleStore;
  logins: Pick<LoginHistoryStore, "ofPerson">;
  guards: AttemptGuardStore;
  clock: Clock;
  captchas: Captchas;
  smsCodes: SmsCodes;
  /** For the notice to the number a change replaces (no code in it). */
  sms: SmsGateway;
  audit: Pick<AuditLog, "append" | "anchorHead">;
  accountLocked: AccountLockedNotice;
}

/**
 * 安全中心, the logged-in person's own page: 最近登录 (which sessions were opened, how and where, and
 * which are still live), and 绑定手机 / 更换手机. Binding a phone lets 忘记密码 and 重置申报密码 text
 * the person, so a session alone is not enough: the login password is asked too (under the login's
 * counter), besides the SMS code proving the new number.
 */
export function securityCenterService(deps: SecurityCenterDeps) {
  async function personOf(personId: string): Promise<Person> {
    const person = await deps.people.byId(personId);
    if (!person) throw new AppError("UNAUTHENTICATED");
    return person;
  }

  /** A number the person may bind: a valid one (the schema said), not theirs already, nobody else's. */
  async function checkFree(person: Person, phone: string): Promise<void> {
    if (phone === person.phone) throw new AppError("PHONE_ALREADY_BOUND");
    if (await deps.people.byPhone(phone)) throw new AppError("PHONE_TAKEN");
  }

  const recordOf = (login: LoginEntry, currentTokenHash: string): LoginRecord => ({
    id: login.id,
    at: new Date(login.at).toISOString(),
    method: login.method,
    clientKind: login.client.kind,
    clientName: login.client.name,
    state:
      login.tokenHash === currentTokenHash
        ? "current"
        : !login.session.ended && withinTimers(login.session, deps.clock.now())
          ? "live"
          : "ended",
  });

  return {
    /** 最近登录, newest first; `currentTokenHash` marks this session's own. */
    logins: (personId: string, currentTokenHash: string, query: PageQuery) =>
      readPage(deps.logins.ofPerson(personId), query, (login) => recordOf(login, currentTokenHash)),

    async overview(personId: string, currentTokenHash: string) {
      const person = await personOf(personId);
      // The newest login other than this session's: normally the one before it, or one made since.
      const recent = await deps.logins.ofPerson(personId).rows(null, 2);
      const previous = recent.find((login) => login.tokenHash !== currentTokenHash);
      return {
        maskedPhone: person.phone ? maskPhone(person.phone) : null,
        previousLogin: previous ? recordOf(previous, currentTokenHash) : null,
      };
    },

    async sendBindCode(personId: string, phone: string) {
      await checkFree(await personOf(personId), phone);
      const sent = await deps.smsCodes.send("bind-phone", phone);
      return { maskedPhone: maskPhone(phone), ...sent };
    },

    /**
     * 绑定手机 (none bound) or 更换手机: the password first (a wrong one counts toward the login's
     * lock), then the new number's SMS code; the phone and the audit record in one transaction.
     * The old number is then told; `oldNumberTold` is false when that text could not be sent (the
     * change stands).
     */
    async bindPhone(personId: string, request: z.infer<typeof bindPhoneRequestSchema>) {
      const person = await personOf(personId);
      await checkFree(person, request.phone);
      await guardedAttempt(deps, {
        subject: personSubject(personId),
        captcha: request,
        check: () => verifyPassword(person.passwordHash, request.password),
        onSuccess: async () => undefined,
        onLocked: (lockedUntil) => deps.accountLocked(person, lockedUntil, deps.clock.now()),
        refusals: { failed: "PASSWORD_WRONG", locked: "ACCOUNT_LOCKED" },
      });
      await deps.smsCodes.verify("bind-phone", request.phone, request.smsCode);
      const at = deps.clock.now();
      await deps.people.transaction(async () => {
        // Checked again inside: another account may have bound the number meanwhile.
        if (await deps.people.byPhone(request.phone)) throw new AppError("PHONE_TAKEN");
        await deps.people.setPhone(personId, request.phone);
        await recordAccountChange(deps.audit, {
          at,
          personId,
          actor: "本人",
          action: person.phone ? "更换手机" : "绑定手机",
          phones: { before: person.phone, after: request.phone },
        });
      });
      await deps.audit.anchorHead();
      const oldNumberTold = person.phone
        ? await deps.sms.send(person.phone, phoneReplacedNotice(request.phone, at)).then(
            () => true,
            () => false,
          )
        : null;
      return { maskedPhone: maskPhone(request.phone), oldNumberTold };
    },
  };
}

export type SecurityCenter = ReturnType<typeof securityCenterService>;
