import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { registerCompleteRequestSchema, registerVerifyRequestSchema } from "../../shared/api/accounts.js";
import { maskPhone } from "../../shared/identity/account-rules.js";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import { AppError } from "../errors.js";
import type { HallIdentity, RegistrationCodes } from "../hall/registration-codes.js";
import type { FlowTicketStore } from "../security/flow-ticket-store.js";
import { hashPassword } from "../security/secrets.js";
import type { SmsCodes } from "../sms/sms-codes.js";
import type { PeopleStore, Person } from "./people.js";

export const REGISTRATION_TICKET_TTL = 30 * MINUTE;

type VerifyRequest = z.infer<typeof registerVerifyRequestSchema>;
type CompleteRequest = z.infer<typeof registerCompleteRequestSchema>;

/** What a registration ticket stands for: a hall code, or a passed face check. */
export interface IdentitySource {
  isActive(id: string): Promise<boolean>;
  identityOf(id: string): Promise<HallIdentity | null>;
  /** Marks it used, inside the caller's transaction; false if it no longer is active. */
  consume(id: string): Promise<boolean>;
}

export interface RegistrationDeps {
  clock: Clock;
  people: PeopleStore;
  registrationCodes: RegistrationCodes;
  faceVerifications: IdentitySource;
  tickets: FlowTicketStore;
  smsCodes: SmsCodes;
}

/**
 * Registration in two steps. Step 1 proves who the person is: 大厅注册码 (the code bound to the
 * identity) or 人脸识别认证 (a passed face check). Step 2, the same for both: 登录名, 密码 and
 * 手机号 with an SMS code.
 */
export function registrationService(deps: RegistrationDeps) {
  const routes = {
    register: { source: deps.registrationCodes as IdentitySource, via: "hall-code" },
    "register-face": { source: deps.faceVerifications, via: "face" },
  } as const;
  const registeredAlready = async (request: { docType: Person["docType"]; docNumber: string }) =>
    (await deps.people.byDocument(request.docType, request.docNumber)) !== null;

  async function liveTicket(ticket: string) {
    for (const purpose of ["register", "register-face"] as const) {
      const found = await deps.tickets.find(purpose, ticket);
      if (!found) continue;
      if (!(await routes[purpose].source.isActive(found.subjectId))) break;
      return { ...found, purpose, ...routes[purpose] };
    }
    throw new AppError("REGISTRATION_TICKET_INVALID");
  }

  const ticketFor = async (purpose: "register" | "register-face", subjectId: string) => ({
    registrationTicket: await deps.tickets.issue(purpose, subjectId, REGISTRATION_TICKET_TTL),
    expiresIn: REGISTRATION_TICKET_TTL / 1000,
  });

  return {
    async verify(request: VerifyRequest): Promise<{ registrationTicket: string; expiresIn: number }> {
      const codeId = await deps.registrationCodes.check(request, request.registrationCode, request);
      // Only past the right code, so only the person the hall gave it to learns that they are registered.
      if (await registeredAlready(request)) throw new AppError("ALREADY_REGISTERED");
      return ticketFor("register", codeId);
    },

    /** Step 1 by face: `verificationId` is a check the face verifications passed. */
    faceVerified: (verificationId: string) => ticketFor("register-face", verificationId),

    async sendSms(ticket: string, phone: string) {
      const { purpose } = await liveTicket(ticket);
      if (await deps.people.byPhone(phone)) throw new AppError("PHONE_TAKEN");
      await deps.tickets.bindPhone(purpose, ticket, phone);
      const sent = await deps.smsCodes.send("register", phone);
      return { maskedPhone: maskPhone(phone), ...sent };
    },

    async complete(request: CompleteRequest): Promise<Person> {
      const ticket = await liveTicket(request.registrationTicket);
      const identity = await ticket.source.identityOf(ticket.subjectId);
      if (!identity) throw new AppError("REGISTRATION_TICKET_INVALID");
      if (ticket.phone !== request.phone) throw new AppError("SMS_CODE_INVALID");
      if (await deps.people.byLoginName(request.loginName)) throw new AppError("LOGIN_NAME_TAKEN");
      if (await deps.people.byPhone(request.phone)) throw new AppError("PHONE_TAKEN");
      await deps.smsCodes.verify("register", request.phone, request.smsCode);
      const passwordHash = await hashPassword(request.password);
      const person: Person = {
        id: randomUUID(),
        ...identity,
        loginName: request.loginName,
        phone: request.phone,
        passwordHash,
        mustChangePassword: false,
      };
      // Spent with the ticket: the identity is used up and the account created in one step.
      return deps.tickets.transaction(async () => {
        if (!(await ticket.source.consume(ticket.subjectId))) throw new AppError("REGISTRATION_TICKET_INVALID");
        // Re-checked inside the transaction: two finishing registrations race for the same names.
        if (await registeredAlready(identity)) throw new AppError("ALREADY_REGISTERED");
        if (await deps.people.byLoginName(person.loginName)) throw new AppError("LOGIN_NAME_TAKEN");
        if (await deps.people.byPhone(request.phone)) throw new AppError("PHONE_TAKEN");
        await deps.people.insert({ ...person, registeredVia: ticket.via, createdAt: deps.clock.now() });
        await deps.tickets.revoke(ticket.purpose, request.registrationTicket);
        return person;
      });
    },
  };
}
