import { afterEach, describe, expect, it } from "vitest";
import { api, KNOWN_CAPTCHA_ANSWER, type RunningCompanion, startCompanion, textsTo } from "../support/companion.js";
import { newPerson, registerPerson, solvedCaptcha, type TestPerson } from "../support/people.js";

/**
 * A hostile local process at 忘记密码: with a solved captcha per try it may ask about any 证件号码
 * and 姓名, and must learn neither whether the document is registered nor which phone it has.
 */

let companion: RunningCompanion;
afterEach(async () => companion?.close());

const identity = (person: Pick<TestPerson, "docType" | "docNumber" | "name">) => ({
  docType: person.docType,
  docNumber: person.docNumber,
  name: person.name,
});
const start = async (person: Pick<TestPerson, "docType" | "docNumber" | "name">) =>
  api(companion, "/api/password/forgot/start", {
    body: { ...identity(person), ...(await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER)) },
  });
const resend = (ticket: string) => api(companion, "/api/sms/send", { body: { purpose: "reset-password", ticket } });
const complete = (ticket: string, smsCode: string) =>
  api(companion, "/api/password/forgot/complete", {
    body: { resetTicket: ticket, smsCode, newPassword: "NewPass#2027" },
  });
/** An answer without its random parts (the ticket). */
const shape = (answer: { status: number; body: Record<string, unknown> }) => ({
  status: answer.status,
  body: { ...answer.body, ...(typeof answer.body.resetTicket === "string" ? { resetTicket: "…" } : {}) },
});

describe("忘记密码: the answers do not tell whose document it is", () => {
  it("answers alike for a person with a phone, one without, a wrong name and a number nobody has", async () => {
    companion = await startCompanion();
    const withPhone = await registerPerson(companion);
    const phoneless = await registerPerson(companion);
    const { people } = companion.app.core;
    await people.setPhone((await people.byDocument(phoneless.docType, phoneless.docNumber))!.id, null);
    const cases: Record<string, Pick<TestPerson, "docType" | "docNumber" | "name">> = {
      withPhone,
      phoneless,
      wrongName: { ...withPhone, name: "李四" },
      nobody: newPerson(),
    };

    const seen: Record<string, unknown[]> = {};
    for (const [who, person] of Object.entries(cases)) {
      const started = await start(person);
      const ticket = started.body.resetTicket as string;
      const answers = [shape(started), shape(await resend(ticket))];
      // The cooldown holds a second start of the same identity, as it holds a phone's.
      answers.push(shape(await start(person)));
      // Five wrong codes, then the code is locked: the same counting whether or not a code reached anyone.
      for (let i = 0; i < 6; i++) answers.push(shape(await complete(ticket, "000000")));
      seen[who] = answers;
    }
    expect(seen.withPhone?.[0]).toEqual({ status: 200, body: { resetTicket: "…", expiresIn: 900, resendAfter: 60 } });
    expect(seen.withPhone?.[1]).toMatchObject({ status: 429, body: { code: "SMS_COOLDOWN" } });
    expect(seen.withPhone?.at(-1)).toMatchObject({ body: { code: "SMS_CODE_LOCKED" } });
    for (const who of ["phoneless", "wrongName", "nobody"]) expect(seen[who], who).toEqual(seen.withPhone);

    // Only the bound phone of the matching identity got a text; nothing names the phone in any answer.
    expect(await textsTo(companion.dataDir, withPhone.phone)).toHaveLength(2); // registration, then the reset
    expect(await textsTo(companion.dataDir, phoneless.phone)).toHaveLength(1); // registration only
    expect(JSON.stringify(seen)).not.toContain(withPhone.phone.slice(7));
  });

  it("a code meant for nobody cannot be guessed into a reset, and the real holder still resets", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion);
    const decoy = await start({ ...person, name: "李四" });
    // Every code is wrong for a ticket whose code went nowhere, the real holder's included.
    const heldCode = async () => {
      const real = await start(person);
      const text = (await textsTo(companion.dataDir, person.phone)).at(-1) ?? "";
      return { ticket: real.body.resetTicket as string, code: /验证码 (\d{6})/.exec(text)?.[1] as string };
    };
    const real = await heldCode();
    expect((await complete(decoy.body.resetTicket as string, real.code)).body.code).toBe("SMS_CODE_INVALID");
    expect((await complete(real.ticket, real.code)).status).toBe(204);
    const login = await api(companion, "/api/login", { body: { account: person.loginName, password: "NewPass#2027" } });
    expect(login.status).toBe(200);
  });
});
