import type { z } from "zod";
import type { forgotCompleteRequestSchema, forgotStartRequestSchema } from "../../shared/api/accounts.js";
import { maskPhone } from "../../shared/identity/account-rules.js";
import type { Captchas } from "../captcha/captchas.js";
import { MINUTE } from "../clock.js";
import { AppError } from "../errors.js";
import { personSubject } from "../security/attempt-guard.js";
import type { AttemptGuardStore } from "../security/attempt-guard-store.js";
import type { FlowTicketStore } from "../security/flow-ticket-store.js";
import { hashPassword } from "../security/secrets.js";
import type { SmsCodes } from "../sms/sms-codes.js";
import type { PeopleStore, Person } from "./people.js";
import type { Sessions } from "./sessions.js";

export const RESET_TICKET_TTL = 15 * MINUTE;

export interface PasswordResetDeps {
  people: PeopleStore;
  guards: AttemptGuardStore;
  captchas: Captchas;
  tickets: FlowTicketStore;
  smsCodes: SmsCodes;
  sessions: Sessions;
}

/** 忘记密码: identity + captcha, then an SMS to the bound phone, then a new password. Unlocks the account. */
export function passwordResetService(deps: PasswordResetDeps) {
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
      const person = await deps.people.byDocument(request.docType, request.docNumber);
      if (!person || person.name !== request.name) throw new AppError("IDENTITY_NOT_FOUND");
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
        await deps.people.setPasswordHash(person.id, passwordHash);
        await deps.guards.clear(personSubject(person.id));
        await deps.sessions.endAllFor(person.id, "password-reset");
        await deps.tickets.revoke("reset-password", request.resetTicket);
      });
    },
  };
}
