import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { registerCompleteRequestSchema, registerVerifyRequestSchema } from "../../shared/api/accounts.js";
import { maskPhone } from "../../shared/identity/account-rules.js";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import { atomically, type Db } from "../db/database.js";
import { AppError } from "../errors.js";
import type { RegistrationCodes } from "../hall/registration-codes.js";
import type { FlowTickets } from "../security/flow-tickets.js";
import { hashPassword } from "../security/secrets.js";
import type { SmsCodes } from "../sms/sms-codes.js";
import type { PeopleStore, Person } from "./people.js";

export const REGISTRATION_TICKET_TTL = 30 * MINUTE;

type VerifyRequest = z.infer<typeof registerVerifyRequestSchema>;
type CompleteRequest = z.infer<typeof registerCompleteRequestSchema>;

export interface RegistrationDeps {
  db: Db;
  clock: Clock;
  people: PeopleStore;
  registrationCodes: RegistrationCodes;
  tickets: FlowTickets;
  smsCodes: SmsCodes;
}

/**
 * 大厅注册码注册: the code and identity are checked first (step 1), then 登录名, 密码 and 手机号
 * with an SMS code (step 2). The face path (later) ends in the same step 2.
 */
export function hallCodeRegistration(deps: RegistrationDeps) {
  const registeredAlready = (request: { docType: Person["docType"]; docNumber: string }) =>
    deps.people.byDocument(request.docType, request.docNumber) !== null;

  function liveTicket(ticket: string) {
    const found = deps.tickets.find("register", ticket);
    if (!found || !deps.registrationCodes.isActive(found.subjectId)) {
      throw new AppError("REGISTRATION_TICKET_INVALID", 400);
    }
    return found;
  }

  return {
    verify(request: VerifyRequest): { registrationTicket: string; expiresIn: number } {
      if (registeredAlready(request)) throw new AppError("ALREADY_REGISTERED", 409);
      const codeId = deps.registrationCodes.check(request, request.registrationCode);
      const registrationTicket = deps.tickets.issue("register", codeId, REGISTRATION_TICKET_TTL);
      return { registrationTicket, expiresIn: REGISTRATION_TICKET_TTL / 1000 };
    },

    async sendSms(ticket: string, phone: string) {
      liveTicket(ticket);
      if (deps.people.byPhone(phone)) throw new AppError("PHONE_TAKEN", 409);
      deps.tickets.bindPhone("register", ticket, phone);
      const sent = await deps.smsCodes.send("register", phone);
      return { maskedPhone: maskPhone(phone), ...sent };
    },

    async complete(request: CompleteRequest): Promise<Person> {
      const ticket = liveTicket(request.registrationTicket);
      const identity = deps.registrationCodes.identityOf(ticket.subjectId);
      if (!identity) throw new AppError("REGISTRATION_TICKET_INVALID", 400);
      if (ticket.phone !== request.phone) throw new AppError("SMS_CODE_INVALID", 400);
      if (deps.people.byLoginName(request.loginName)) throw new AppError("LOGIN_NAME_TAKEN", 409);
      if (deps.people.byPhone(request.phone)) throw new AppError("PHONE_TAKEN", 409);
      deps.smsCodes.verify("register", request.phone, request.smsCode);
      const passwordHash = await hashPassword(request.password);
      const person: Person = {
        id: randomUUID(),
        ...identity,
        loginName: request.loginName,
        phone: request.phone,
        passwordHash,
      };
      return atomically(deps.db, () => {
        if (!deps.registrationCodes.consume(ticket.subjectId)) throw new AppError("REGISTRATION_TICKET_INVALID", 400);
        // Re-checked inside the transaction: two finishing registrations race for the same names.
        if (registeredAlready(identity)) throw new AppError("ALREADY_REGISTERED", 409);
        if (deps.people.byLoginName(person.loginName)) throw new AppError("LOGIN_NAME_TAKEN", 409);
        if (deps.people.byPhone(request.phone)) throw new AppError("PHONE_TAKEN", 409);
        deps.people.insert({ ...person, registeredVia: "hall-code", createdAt: deps.clock.now() });
        deps.tickets.revoke("register", request.registrationTicket);
        return person;
      });
    },
  };
}
