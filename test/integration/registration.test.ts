import { afterEach, describe, expect, it } from "vitest";
import { DAY, MINUTE } from "../../companion/clock.js";
import {
  api,
  KNOWN_CAPTCHA_ANSWER,
  lastSmsCode,
  manualClock,
  type RunningCompanion,
  runCli,
  startCompanion,
  storeOf,
} from "../support/companion.js";
import {
  newPerson,
  registerPerson,
  solvedCaptcha,
  type TestPerson,
  verifyRegistrationCode,
} from "../support/people.js";

let companion: RunningCompanion | undefined;
afterEach(async () => {
  await companion?.close();
  companion = undefined;
});

const completeWithCode = (c: RunningCompanion, person: TestPerson, ticket: string, smsCode: string) =>
  api(c, "/api/register/complete", {
    body: {
      registrationTicket: ticket,
      loginName: person.loginName,
      password: person.password,
      phone: person.phone,
      smsCode,
    },
  });

async function completeWith(c: RunningCompanion, person: TestPerson, ticket: string) {
  await api(c, "/api/sms/send", { body: { purpose: "register", ticket, phone: person.phone } });
  return completeWithCode(c, person, ticket, await lastSmsCode(c.dataDir, person.phone));
}

describe("大厅注册码注册", () => {
  it("registers with a code printed by the hall CLI", async () => {
    companion = await startCompanion();
    const person = newPerson({ name: "宋" });
    const slip = await runCli(
      ["hall", "code", "issue", "--doc-type", person.docType, "--doc-number", person.docNumber, "--name", person.name],
      storeOf(companion),
    );
    expect(slip).toContain("申请人\t宋");
    expect(slip).toContain("办理事项\t纳税人注册码申请");
    expect(slip).toContain("有效期为7天");
    expect(slip).toContain(`身份证件号码：\t${person.docNumber.slice(0, 3)}*****${person.docNumber.slice(-3)}`);
    expect(slip).not.toContain(person.docNumber);
    const code = slip.match(/您的注册码为 ([0-9A-Z]{6}) /)?.[1] as string;

    const verified = await verifyRegistrationCode(companion, person, code.toLowerCase());
    expect(verified.status).toBe(200);
    const done = await completeWith(companion, person, verified.body.registrationTicket);
    expect(done.status).toBe(200);
    expect(done.body.person).toMatchObject({ loginName: person.loginName, maskedName: "宋", docType: "居民身份证" });
  });

  it("binds the code to the person, counts wrong codes and stops the code at the fifth", async () => {
    companion = await startCompanion();
    const person = newPerson();
    const { code } = await companion.app.core.registrationCodes.issue(person);
    const solved = () => solvedCaptcha(companion as RunningCompanion, KNOWN_CAPTCHA_ANSWER);
    expect((await verifyRegistrationCode(companion, { ...person, name: "李四" }, code)).body.code).toBe(
      "REGISTRATION_CODE_INVALID",
    );
    expect((await verifyRegistrationCode(companion, { ...person, nationality: "美国" }, code)).body.code).toBe(
      "VALIDATION_FAILED",
    );
    for (let i = 0; i < 3; i++) {
      const wrong = await verifyRegistrationCode(companion, person, "ZZZZZZ", await solved());
      expect(wrong.body.code).toBe("REGISTRATION_CODE_INVALID");
    }
    // Fifth wrong try (the wrong name counted too): the code is spent.
    const fifth = await verifyRegistrationCode(companion, person, "ZZZZZZ", await solved());
    expect(fifth.body.code).toBe("REGISTRATION_CODE_LOCKED");
    expect((await verifyRegistrationCode(companion, person, code, await solved())).body.code).toBe(
      "REGISTRATION_CODE_LOCKED",
    );
    // A new code from the hall starts afresh.
    const renewed = await companion.app.core.registrationCodes.issue(person);
    expect((await verifyRegistrationCode(companion, person, renewed.code)).status).toBe(200);
  });

  it("expires codes after 7 days", async () => {
    const clock = manualClock();
    companion = await startCompanion({ clock });
    const person = newPerson();
    const { code } = await companion.app.core.registrationCodes.issue(person);
    clock.advance(7 * DAY - MINUTE);
    expect((await verifyRegistrationCode(companion, person, code)).status).toBe(200);
    clock.advance(MINUTE);
    expect((await verifyRegistrationCode(companion, person, code)).body.code).toBe("REGISTRATION_CODE_INVALID");
  });

  it("uses a code once, and a new code replaces the old one", async () => {
    companion = await startCompanion();
    const person = newPerson();
    const first = await companion.app.core.registrationCodes.issue(person);
    const second = await companion.app.core.registrationCodes.issue(person);
    const solved = () => solvedCaptcha(companion as RunningCompanion, KNOWN_CAPTCHA_ANSWER);
    expect((await verifyRegistrationCode(companion, person, first.code)).body.code).toBe("REGISTRATION_CODE_INVALID");
    const ticket = (await verifyRegistrationCode(companion, person, second.code, await solved())).body
      .registrationTicket;
    expect((await completeWith(companion, person, ticket)).status).toBe(200);
    // Used: the code is as wrong as any other now (being registered is told to nobody here).
    expect((await verifyRegistrationCode(companion, person, second.code)).body.code).toBe("REGISTRATION_CODE_INVALID");
    const resend = await api(companion, "/api/sms/send", {
      body: { purpose: "register", ticket, phone: "13800138000" },
    });
    expect(resend.body.code).toBe("REGISTRATION_TICKET_INVALID");
    const replay = await api(companion, "/api/register/complete", {
      body: {
        registrationTicket: ticket,
        loginName: "another_one",
        password: person.password,
        phone: "13800138000",
        smsCode: "123456",
      },
    });
    expect(replay.body.code).toBe("REGISTRATION_TICKET_INVALID");
  });

  it("refuses a taken 登录名 or 手机号, and bad fields with the shared rules' messages", async () => {
    companion = await startCompanion();
    const existing = await registerPerson(companion);
    const person = newPerson({ loginName: existing.loginName });
    const { code } = await companion.app.core.registrationCodes.issue(person);
    const ticket = (await verifyRegistrationCode(companion, person, code)).body.registrationTicket;
    expect((await completeWith(companion, person, ticket)).body.code).toBe("LOGIN_NAME_TAKEN");
    const taken = await api(companion, "/api/sms/send", {
      body: { purpose: "register", ticket, phone: existing.phone },
    });
    expect(taken.body.code).toBe("PHONE_TAKEN");

    const bad = await api(companion, "/api/register/complete", {
      body: { registrationTicket: ticket, loginName: "12345", password: "abcdefgh", phone: "12345", smsCode: "1" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("VALIDATION_FAILED");
    expect(Object.keys(bad.body.fields).sort()).toEqual(["loginName", "password", "phone", "smsCode"]);
    const badDocument = await api(companion, "/api/register/verify", {
      body: {
        registrationCode: code,
        docType: "居民身份证",
        docNumber: "110101199001011231",
        name: person.name,
        nationality: "中国",
      },
    });
    expect(badDocument.body.fields.docNumber).toBe("校验码错误");
  });
});

describe("SMS codes", () => {
  async function ticketFor(c: RunningCompanion, person: TestPerson) {
    const { code } = await c.app.core.registrationCodes.issue(person);
    return (await verifyRegistrationCode(c, person, code)).body.registrationTicket as string;
  }

  it("are single use, expire after 5 minutes and allow a resend only after the cooldown", async () => {
    const clock = manualClock();
    companion = await startCompanion({ clock });
    const person = newPerson();
    const ticket = await ticketFor(companion, person);
    const send = () =>
      api(companion as RunningCompanion, "/api/sms/send", {
        body: { purpose: "register", ticket, phone: person.phone },
      });
    expect((await send()).body).toMatchObject({ resendAfter: 60 });
    const cooldown = await send();
    expect(cooldown.body).toMatchObject({ code: "SMS_COOLDOWN", retryAfter: 60 });

    const code = await lastSmsCode(companion.dataDir, person.phone);
    clock.advance(5 * MINUTE);
    const complete = (smsCode: string) => completeWithCode(companion as RunningCompanion, person, ticket, smsCode);
    expect((await complete(code)).body.code).toBe("SMS_CODE_INVALID");

    expect((await send()).status).toBe(200);
    const fresh = await lastSmsCode(companion.dataDir, person.phone);
    expect((await complete(fresh)).status).toBe(200);
  });

  it("stop working after five wrong tries", async () => {
    companion = await startCompanion();
    const person = newPerson();
    const ticket = await ticketFor(companion, person);
    await api(companion, "/api/sms/send", { body: { purpose: "register", ticket, phone: person.phone } });
    const right = await lastSmsCode(companion.dataDir, person.phone);
    const wrong = right === "000000" ? "111111" : "000000";
    const complete = (smsCode: string) => completeWithCode(companion as RunningCompanion, person, ticket, smsCode);
    for (let i = 0; i < 4; i++) expect((await complete(wrong)).body.code).toBe("SMS_CODE_INVALID");
    expect((await complete(wrong)).body.code).toBe("SMS_CODE_LOCKED");
    expect((await complete(right)).body.code).toBe("SMS_CODE_LOCKED");
  });

  it("go to a webhook gateway when one is configured", async () => {
    const { createServer } = await import("node:http");
    const received: Array<{ phone: string; text: string; auth?: string }> = [];
    const provider = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        received.push({ ...JSON.parse(body), auth: req.headers.authorization });
        res.writeHead(received.length === 1 ? 200 : 500).end();
      });
    });
    await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
    const address = provider.address() as { port: number };
    const { webhookGateway } = await import("../../companion/sms/gateway.js");
    const clock = manualClock();
    companion = await startCompanion({
      clock,
      sms: webhookGateway(`http://127.0.0.1:${address.port}/sms`, { token: "t0ken" }),
    });
    const person = newPerson();
    const ticket = await ticketFor(companion, person);
    expect(
      (await api(companion, "/api/sms/send", { body: { purpose: "register", ticket, phone: person.phone } })).status,
    ).toBe(200);
    expect(received[0]).toMatchObject({ phone: person.phone, auth: "Bearer t0ken" });
    expect(received[0]?.text).toMatch(/验证码 \d{6}/);
    clock.advance(MINUTE);
    // The provider fails: a clear error, and no cooldown held against the person.
    const failed = await api(companion, "/api/sms/send", {
      body: { purpose: "register", ticket, phone: person.phone },
    });
    expect(failed.body.code).toBe("SMS_SEND_FAILED");
    provider.close();
  });
});
