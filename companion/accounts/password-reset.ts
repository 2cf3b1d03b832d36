import type { z } from "zod";
import type {
  forgotCompleteRequestSchema,
  forgotStartRequestSchema,
  identitySchema,
} from "../../shared/api/accounts.js";
import { maskPhone } from "../../shared/identity/account-rules.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { Captchas } from "../captcha/captchas.js";
import { type Clock, MINUTE } from "../clock.js";
import { AppError } from "../errors.js";
import type { AttemptGuardStore } from "../security/attempt-guard-store.js";
import type { FlowTicketStore } from "../security/flow-ticket-store.js";
import {
  type CodeHasher,
  DIGITS,
  handedOutPassword,
  hashPassword,
  LOWER_LETTERS,
  UPPER_LETTERS,
} from "../security/secrets.js";
import type { SmsCodes } from "../sms/sms-codes.js";
import { type AccountActor, recordAccountChange } from "./account-changes.js";
import { loginSubjects } from "./login.js";
import type { PeopleStore, Person } from "./people.js";
import type { Sessions } from "./sessions.js";

export const RESET_TICKET_TTL = 15 * MINUTE;

export interface PasswordResetDeps {
  people: PeopleStore;
  guards: AttemptGuardStore;
  /** Names the counters of the person's login identifiers, which the unlock clears too. */
  hasher: CodeHasher;
  captchas: Captchas;
  tickets: FlowTicketStore;
  smsCodes: SmsCodes;
  sessions: Sessions;
  clock: Clock;
  audit: Pick<AuditLog, "append" | "anchorHead">;
}

/** What the hall does about the bound phone while resetting the password: keep it, bind another, or unbind it. */
export interface HallPhoneChange {
  phone?: string | undefined;
  unbindPhone?: boolean | undefined;
}

/**
 * The one-time password the hall prints on the slip: 10 characters of three kinds (so it passes the
 * registration rules), no look-alikes, to be changed at the next login.
 */
export const hallOneTimePassword = () => handedOutPassword([UPPER_LETTERS, LOWER_LETTERS, DIGITS], 10);

/**
 * Resets of a forgotten password: 忘记密码 (identity + captcha, then an SMS to the bound phone, then
 * a new password) and, when that cannot work (no phone, or the phone lost), at the tax hall with
 * the person's identity document. Either unlocks the account and ends the person's sessions.
 */
export function passwordResetService(deps: PasswordResetDeps) {
  /** The registered person of a document, when the name matches too. */
  async function personOf(identity: z.infer<typeof identitySchema>): Promise<Person> {
    const person = await deps.people.byDocument(identity.docType, identity.docNumber);
    if (!person || person.name !== identity.name) throw new AppError("IDENTITY_NOT_FOUND");
    return person;
  }

  const clearCounters = async (person: Person) => {
    for (const subject of loginSubjects(deps.hasher, person)) await deps.guards.clear(subject);
  };

  /**
   * The new password, the unlock, the logouts (popup and desktop alike) and the audit record: run
   * inside the caller's transaction.
   */
  async function replacePassword(
    person: Person,
    passwordHash: string,
    by: { actor: AccountActor; reason: string; oneTime: boolean; phoneAfter: string | null },
  ) {
    await deps.people.setPasswordHash(person.id, passwordHash, by.oneTime);
    await clearCounters(person);
    await deps.sessions.endAllFor(person.id, by.reason);
    await recordAccountChange(deps.audit, {
      at: deps.clock.now(),
      personId: person.id,
      actor: by.actor,
      action: "重置密码",
      ...(by.phoneAfter === person.phone ? {} : { phones: { before: person.phone, after: by.phoneAfter } }),
    });
  }

  async function ticketPerson(ticket: string): Promise<Person & { phone: string }> {
    const found = await deps.tickets.find("reset-password", ticket);
    const person = found ? await deps.people.byId(found.subjectId) : null;
    if (!person?.phone) throw new AppError("RESET_TICKET_INVALID");
    return { ...person, phone: person.phone };
  }

  return {
    async start(request: z.infer<typeof forgotStartRequestSchema>) {
      const captcha = await deps.captchas.consume(request.captchaId, request.captchaAnswer);
      if (captcha !== "ok") throw new AppError("CAPTCHA_INVALID", { captchaRequired: true });
      const person = await personOf(request);
      if (!person.phone) throw new AppError("PHONE_NOT_BOUND");
      const resetTicket = await deps.tickets.issue("reset-password", person.id, RESET_TICKET_TTL);
      const { resendAfter } = await deps.smsCodes.send("reset-password", person.phone);
      return { resetTicket, maskedPhone: maskPhone(person.phone), expiresIn: RESET_TICKET_TTL / 1000, resendAfter };
    },

    async resendSms(ticket: string) {
      const person = await ticketPerson(ticket);
      const sent = await deps.smsCodes.send("reset-password", person.phone);
      return { maskedPhone: maskPhone(person.phone), ...sent };
    },

    async complete(request: z.infer<typeof forgotCompleteRequestSchema>) {
      const person = await ticketPerson(request.resetTicket);
      await deps.smsCodes.verify("reset-password", person.phone, request.smsCode);
      const passwordHash = await hashPassword(request.newPassword);
      // Spent with the ticket: the new password, the unlock and the logouts happen together or not at all.
      await deps.tickets.transaction(async () => {
        await replacePassword(person, passwordHash, {
          actor: "本人",
          reason: "password-reset",
          oneTime: false,
          phoneAfter: person.phone,
        });
        await deps.tickets.revoke("reset-password", request.resetTicket);
      });
      await deps.audit.anchorHead();
    },

    /** The hall lifts a password lock (the person has shown an identity document): the account's and every identifier's. */
    async unlock(account: string): Promise<Person> {
      const person = await deps.people.byLoginIdentifier(account);
      if (!person) throw new AppError("IDENTITY_NOT_FOUND");
      await deps.tickets.transaction(() => clearCounters(person));
      return person;
    },

    /**
     * 到本地办税服务厅进行密码重置: the officer has checked the identity document; the person gets a
     * one-time password (answered once, for the slip) to change at the next login, and optionally
     * a new bound phone in place of a lost one, or none (then 安全中心 binds one after the login).
     */
    async atHall(request: z.infer<typeof identitySchema> & HallPhoneChange) {
      const person = await personOf(request);
      const oneTimePassword = hallOneTimePassword();
      const passwordHash = await hashPassword(oneTimePassword);
      const phone = request.unbindPhone ? null : (request.phone ?? person.phone);
      const phoneChanged = phone !== person.phone;
      await deps.tickets.transaction(async () => {
        if (phone && phoneChanged) {
          const holder = await deps.people.byPhone(phone);
          if (holder) throw new AppError("PHONE_TAKEN");
        }
        if (phoneChanged) await deps.people.setPhone(person.id, phone);
        await replacePassword(person, passwordHash, {
          actor: "办税服务厅",
          reason: "hall-password-reset",
          oneTime: true,
          phoneAfter: phone,
        });
      });
      await deps.audit.anchorHead();
      return { person: { ...person, phone }, oneTimePassword, phoneChanged };
    },
  };
}
