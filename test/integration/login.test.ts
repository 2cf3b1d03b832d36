import { afterEach, describe, expect, it } from "vitest";
import { HOUR, MINUTE } from "../../companion/clock.js";
import {
  api,
  KNOWN_CAPTCHA_ANSWER,
  lastSmsCode,
  manualClock,
  type RunningCompanion,
  startCompanion,
} from "../support/companion.js";
import { newPerson, registerPerson, solvedCaptcha } from "../support/people.js";

let companion: RunningCompanion | undefined;
afterEach(async () => {
  await companion?.close();
  companion = undefined;
});

const wrongLogin = async (c: RunningCompanion, account: string, withCaptcha = true) =>
  api(c, "/api/login", {
    body: { account, password: "Wrong#Pass1", ...(withCaptcha ? await solvedCaptcha(c, KNOWN_CAPTCHA_ANSWER) : {}) },
  });

describe("password login", () => {
  it("accepts 手机号, 证件号码 and 登录名 for a 居民身份证 holder", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion);
    for (const account of [person.phone, person.docNumber, person.docNumber.toLowerCase(), person.loginName]) {
      const res = await api(companion, "/api/login", { body: { account, password: person.password } });
      expect(res.status, account).toBe(200);
      expect(res.body.person.maskedName).toBe("**明");
      expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it("lets holders of other documents log in by 登录名 or 手机号 only", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion, newPerson({ docType: "中国护照", docNumber: "E12345678" }));
    expect(
      (await api(companion, "/api/login", { body: { account: person.loginName, password: person.password } })).status,
    ).toBe(200);
    expect(
      (await api(companion, "/api/login", { body: { account: person.phone, password: person.password } })).status,
    ).toBe(200);
    const byDocument = await api(companion, "/api/login", {
      body: { account: person.docNumber, password: person.password },
    });
    expect(byDocument.status).toBe(401);
    expect(byDocument.body.code).toBe("LOGIN_FAILED");
  });

  it("makes the captcha compulsory after a wrong password, and one picture allows one try", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion);
    const first = await wrongLogin(companion, person.loginName, false);
    expect(first.body).toMatchObject({ code: "LOGIN_FAILED", captchaRequired: true, attemptsLeft: 4 });

    const noCaptcha = await api(companion, "/api/login", {
      body: { account: person.loginName, password: person.password },
    });
    expect(noCaptcha.body.code).toBe("CAPTCHA_REQUIRED");

    const captcha = await solvedCaptcha(companion, "xxxx");
    const badCaptcha = await api(companion, "/api/login", {
      body: { account: person.loginName, password: person.password, ...captcha },
    });
    expect(badCaptcha.body.code).toBe("CAPTCHA_INVALID");
    // The same picture cannot be guessed again.
    const reused = await api(companion, "/api/login", {
      body: {
        account: person.loginName,
        password: person.password,
        captchaId: captcha.captchaId,
        captchaAnswer: KNOWN_CAPTCHA_ANSWER,
      },
    });
    expect(reused.body.code).toBe("CAPTCHA_INVALID");

    const ok = await api(companion, "/api/login", {
      body: {
        account: person.loginName,
        password: person.password,
        ...(await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER.toUpperCase())),
      },
    });
    expect(ok.status).toBe(200);
    // Success resets: no captcha next time.
    expect(
      (await api(companion, "/api/login", { body: { account: person.loginName, password: person.password } })).status,
    ).toBe(200);
  });

  it("locks at exactly the fifth failure for 120 minutes, then lets the right password in", async () => {
    const clock = manualClock();
    companion = await startCompanion({ clock });
    const person = await registerPerson(companion);
    for (let i = 1; i <= 4; i++) {
      const res = await wrongLogin(companion, person.phone);
      expect(res.body).toMatchObject({ code: "LOGIN_FAILED", attemptsLeft: 5 - i });
    }
    const fifth = await wrongLogin(companion, person.phone);
    expect(fifth.status).toBe(423);
    expect(fifth.body).toMatchObject({ code: "ACCOUNT_LOCKED", retryAfter: 7200 });

    clock.advance(119 * MINUTE);
    const stillLocked = await api(companion, "/api/login", {
      body: {
        account: person.phone,
        password: person.password,
        ...(await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER)),
      },
    });
    expect(stillLocked.body).toMatchObject({ code: "ACCOUNT_LOCKED", retryAfter: 60 });
    // The account is locked whichever identifier is used; another one answers as its own wrong try.
    const byName = await api(companion, "/api/login", {
      body: { account: person.loginName, password: person.password },
    });
    expect(byName.body).toMatchObject({ code: "LOGIN_FAILED", attemptsLeft: 4 });

    clock.advance(MINUTE);
    const after = await api(companion, "/api/login", {
      body: {
        account: person.loginName,
        password: person.password,
        ...(await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER)),
      },
    });
    expect(after.status).toBe(200);
  });

  it("four failures then the right password succeeds and resets the count", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion);
    for (let i = 0; i < 4; i++) await wrongLogin(companion, person.loginName);
    const ok = await api(companion, "/api/login", {
      body: {
        account: person.loginName,
        password: person.password,
        ...(await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER)),
      },
    });
    expect(ok.status).toBe(200);
    const again = await wrongLogin(companion, person.loginName, false);
    expect(again.body).toMatchObject({ code: "LOGIN_FAILED", attemptsLeft: 4 });
  });

  it("keeps the lock across a restart", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion);
    for (let i = 0; i < 5; i++) await wrongLogin(companion, person.loginName);
    companion = await companion.restart();
    const res = await api(companion, "/api/login", { body: { account: person.loginName, password: person.password } });
    expect(res.body.code).toBe("ACCOUNT_LOCKED");
    expect(res.body.retryAfter).toBeGreaterThan(7000);
  });

  it("200 concurrent wrong logins lock the account and let nothing through after the fifth", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion);
    const c = companion;
    const captchas = await Promise.all(Array.from({ length: 200 }, () => solvedCaptcha(c, KNOWN_CAPTCHA_ANSWER)));
    const results = await Promise.all(
      captchas.map((captcha) =>
        api(c, "/api/login", { body: { account: person.loginName, password: "Wrong#Pass1", ...captcha } }),
      ),
    );
    const codes = results.map((r) => r.body.code);
    expect(codes.filter((code) => code === "LOGIN_FAILED").length).toBeLessThanOrEqual(4);
    expect(codes.filter((code) => code === "ACCOUNT_LOCKED").length).toBeGreaterThanOrEqual(196);
    expect(codes.every((code) => ["LOGIN_FAILED", "ACCOUNT_LOCKED", "CAPTCHA_REQUIRED"].includes(code))).toBe(true);
    // The right password is refused too, now.
    const right = await api(c, "/api/login", {
      body: { account: person.loginName, password: person.password, ...(await solvedCaptcha(c, KNOWN_CAPTCHA_ANSWER)) },
    });
    expect(right.body.code).toBe("ACCOUNT_LOCKED");
    // The account's counter, and the 登录名's own (which shapes the answers).
    const guards = await c.app.core.sql.all<{ subject: string; failures: number }>(
      "SELECT subject, failures FROM login_guards ORDER BY subject",
    );
    expect(guards.map(({ subject, failures }) => [subject.split(":")[0], failures])).toEqual([
      ["login", 5],
      ["person", 5],
    ]);
  });

  it("answers unknown accounts like known ones", async () => {
    companion = await startCompanion();
    const first = await wrongLogin(companion, "nobody_here", false);
    expect(first.body).toMatchObject({ code: "LOGIN_FAILED", captchaRequired: true, attemptsLeft: 4 });
    expect((await wrongLogin(companion, "nobody_here", false)).body.code).toBe("CAPTCHA_REQUIRED");
  });
});

describe("忘记密码", () => {
  it("unlocks a locked account with identity, SMS and a new password, and ends old sessions", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion);
    const session = await api(companion, "/api/login", {
      body: { account: person.loginName, password: person.password },
    });
    for (let i = 0; i < 5; i++) await wrongLogin(companion, person.loginName);

    const start = await api(companion, "/api/password/forgot/start", {
      body: {
        docType: person.docType,
        docNumber: person.docNumber,
        name: person.name,
        ...(await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER)),
      },
    });
    expect(start.status).toBe(200);
    // Which phone (or whether any) is never said; the code went to the bound one.
    expect(Object.keys(start.body).sort()).toEqual(["expiresIn", "resendAfter", "resetTicket"]);

    const badSms = await api(companion, "/api/password/forgot/complete", {
      body: { resetTicket: start.body.resetTicket, smsCode: "000000", newPassword: "NewPass#2027" },
    });
    expect(badSms.body.code).toBe("SMS_CODE_INVALID");

    const done = await api(companion, "/api/password/forgot/complete", {
      body: {
        resetTicket: start.body.resetTicket,
        smsCode: await lastSmsCode(companion.dataDir, person.phone),
        newPassword: "NewPass#2027",
      },
    });
    expect(done.status).toBe(204);
    expect((await api(companion, "/api/session", { token: session.body.token })).status).toBe(401);
    const old = await api(companion, "/api/login", { body: { account: person.loginName, password: person.password } });
    expect(old.body.code).toBe("LOGIN_FAILED");
    const fresh = await api(companion, "/api/login", {
      body: {
        account: person.loginName,
        password: "NewPass#2027",
        ...(await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER)),
      },
    });
    expect(fresh.status).toBe(200);
  });

  it("needs a captcha", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion);
    const noCaptcha = await api(companion, "/api/password/forgot/start", {
      body: { docType: person.docType, docNumber: person.docNumber, name: person.name },
    });
    expect(noCaptcha.body.code).toBe("VALIDATION_FAILED");
  });
});

describe("sessions", () => {
  it("expire after 30 idle minutes and after 12 hours in any case; logout ends them", async () => {
    const clock = manualClock();
    companion = await startCompanion({ clock });
    const person = await registerPerson(companion);
    const login = async () =>
      (
        await api(companion as RunningCompanion, "/api/login", {
          body: { account: person.loginName, password: person.password },
        })
      ).body.token as string;

    const idle = await login();
    clock.advance(29 * MINUTE);
    expect((await api(companion, "/api/session", { token: idle })).status).toBe(200);
    clock.advance(30 * MINUTE);
    expect((await api(companion, "/api/session", { token: idle })).body.code).toBe("UNAUTHENTICATED");

    const busy = await login();
    for (let elapsed = 0; elapsed < 12 * HOUR - 20 * MINUTE; elapsed += 20 * MINUTE) {
      clock.advance(20 * MINUTE);
      expect((await api(companion, "/api/session", { token: busy })).status).toBe(200);
    }
    clock.advance(20 * MINUTE);
    expect((await api(companion, "/api/session", { token: busy })).status).toBe(401);

    const loggedOut = await login();
    expect((await api(companion, "/api/logout", { method: "POST", token: loggedOut })).status).toBe(204);
    expect((await api(companion, "/api/session", { token: loggedOut })).status).toBe(401);
  });
});
