import type { z } from "zod";
import type {
  forgotCompleteRequestSchema,
  forgotStartRequestSchema,
  identitySchema,
} from "../../shared/api/accounts.js";
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

/** Marks the stand-in address of a reset ticket whose codes go nowhere (it is never a phone number). */
const NOWHERE = "nowhere:";

/** The same identity always maps to the same stand-in, so its cooldown and daily limit behave like a phone's. */
const identityKey = (identity: z.infer<typeof identitySchema>) =>
  `${identity.docType}\0${identity.docNumber}\0${identity.name}`;

interface ResetTarget {
  person: (Person & { phone: string }) | null;
  address: string;
}

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
  async function personOf(identity: z.infer<typeof identitySchema>): Promise<Person | null> {
    const person = await deps.people.byDocument(identity.docType, identity.docNumber);
    return person && person.name === identity.name ? person : null;
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

  /**
   * Where a reset ticket's codes go: the bound phone of its person, or, for a ticket issued to an
   * identity that cannot be reset this way, a stand-in address (the codes go nowhere).
   */
  async function ticketTarget(ticket: string): Promise<ResetTarget> {
    const found = await deps.tickets.find("reset-password", ticket);
    if (!found) throw new AppError("RESET_TICKET_INVALID");
    if (found.phone?.startsWith(NOWHERE)) return { person: null, address: found.phone };
    const person = await deps.people.byId(found.subjectId);
    if (!person?.phone) throw new AppError("RESET_TICKET_INVALID");
    return { person: { ...person, phone: person.phone }, address: person.phone };
  }

  const sendCode = (target: ResetTarget) =>
    target.person
      ? deps.smsCodes.send("reset-password", target.address)
      : deps.smsCodes.sendNowhere("reset-password", target.address);

  return {
    /**
     * Step 1. Whoever the identity is (a registered person with a phone, one without, nobody at
     * all), the answer is the same: a ticket, and a code sent "to the bound phone" — which for the
     * last two goes nowhere, under the same cooldown and limits, so no answer tells whether the
     * document is registered or which phone it has.
     */
    async start(request: z.infer<typeof forgotStartRequestSchema>) {
      const captcha = await deps.captchas.consume(request.captchaId, request.captchaAnswer);
      if (captcha !== "ok") throw new AppError("CAPTCHA_INVALID", { captchaRequired: true });
      const person = await personOf(request);
      const target: ResetTarget = person?.phone
        ? { person: { ...person, phone: person.phone }, address: person.phone }
        : { person: null, address: NOWHERE + deps.hasher.digest("reset-nowhere", identityKey(request)) };
      const { resendAfter } = await sendCode(target);
      const resetTicket = await deps.tickets.transaction(async () => {
        const ticket = await deps.tickets.issue("reset-password", target.person?.id ?? "", RESET_TICKET_TTL);
        if (!target.person) await deps.tickets.bindPhone("reset-password", ticket, target.address);
        return ticket;
      });
      return { resetTicket, expiresIn: RESET_TICKET_TTL / 1000, resendAfter };
    },

    async resendSms(ticket: string) {
      return { maskedPhone: null, ...(await sendCode(await ticketTarget(ticket))) };
    },

    async complete(request: z.infer<typeof forgotCompleteRequestSchema>) {
      const target = await ticketTarget(request.resetTicket);
      await deps.smsCodes.verify("reset-password", target.address, request.smsCode);
      const person = target.person;
      // Nobody knows a code that went nowhere; should a guess hit one, it is still only a wrong code.
      if (!person) throw new AppError("SMS_CODE_INVALID");
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
      if (!person) throw new AppError("IDENTITY_NOT_FOUND");
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
