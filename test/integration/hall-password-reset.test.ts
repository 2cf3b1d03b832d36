import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { DesktopError } from "../../shared/desktop/client.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { maskDocumentNumber } from "../../shared/identity/documents.js";
import {
  api,
  KNOWN_CAPTCHA_ANSWER,
  type RunningCompanion,
  runCli,
  startCompanion,
  storeOf,
  textsTo,
} from "../support/companion.js";
import { pairDesktopClient } from "../support/desktop.js";
import {
  hallPasswordReset,
  loginToken,
  newPerson,
  newPhone,
  oneTimePasswordOf,
  registerPerson,
  solvedCaptcha,
  type TestPerson,
} from "../support/people.js";

let companion: RunningCompanion;
beforeEach(async () => {
  companion = await startCompanion();
});
afterEach(() => companion.close());

const cli = (...args: string[]) => runCli(args, storeOf(companion));
const cliError = (...args: string[]) =>
  cli(...args).then(
    (stdout) => `unexpected success: ${stdout}`,
    (error: { stderr: string }) => error.stderr,
  );
const hallReset = (person: Pick<TestPerson, "docType" | "docNumber" | "name">, ...more: string[]) =>
  hallPasswordReset(companion, person, ...more);
const login = (account: string, password: string, captcha = {}) =>
  api(companion, "/api/login", { body: { account, password, ...captcha } });
const wrongLogin = async (account: string) =>
  login(account, "Wrong#Pass1", await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER));
const changePassword = (token: string, body: Record<string, string>) =>
  api(companion, "/api/password/change", { token, body });
/** The first answer of /api/events to the token (the popup's and the background's push socket). */
const eventsAnswer = (token: string) =>
  new Promise<Record<string, unknown>>((resolve, reject) => {
    const socket = new WebSocket(`${companion.url.replace("http", "ws")}/api/events`, { origin: EXTENSION_ORIGIN });
    socket.on("open", () => socket.send(JSON.stringify({ type: "auth", token })));
    socket.on("message", (data) => {
      resolve(JSON.parse(String(data)));
      socket.close();
    });
    socket.on("error", reject);
  });

describe("taxauth hall password reset", () => {
  it("prints a one-time password once, ends every session (popup and desktop) and clears the lock", async () => {
    const person = await registerPerson(companion, newPerson({ name: "宋晓明" }));
    const popupToken = await loginToken(companion, person);
    const { client: desk } = await pairDesktopClient(companion, popupToken);
    await desk.request("login", { account: person.loginName, password: person.password });
    for (let i = 0; i < 5; i++) await wrongLogin(person.loginName);
    // The lock says where to go when 忘记密码 cannot help (desktop clients show this message as is).
    expect((await login(person.loginName, person.password)).body).toMatchObject({
      code: "ACCOUNT_LOCKED",
      message: expect.stringContaining("若通过此功能仍无法找回密码，请携带有效身份证件到本地办税服务厅进行密码重置。"),
    });

    const deskEnded = desk.nextEvent("session.ended");
    const slip = await hallReset(person);
    expect(slip).toContain("申请人\t宋晓明\n办理事项\t密码重置\n");
    expect(slip).toContain(`登录名：\t${person.loginName}`);
    expect(slip).toContain(`身份证件号码：\t${maskDocumentNumber(person.docNumber)}`);
    expect(slip).not.toContain(person.docNumber);
    const oneTime = oneTimePasswordOf(slip);
    // It passes the registration rules: 8–15 characters of at least three kinds.
    expect(oneTime).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)[A-Za-z\d]{10}$/);

    // Every session of the person ended: the popup's at once, the desktop client is told.
    expect((await api(companion, "/api/session", { token: popupToken })).status).toBe(401);
    expect(await deskEnded).toMatchObject({ event: "session.ended" });
    // The old password is gone; the lock is cleared, so the one-time password logs in without a wait.
    expect((await login(person.loginName, person.password)).body.code).toBe("LOGIN_FAILED");
    const fresh = await login(person.loginName, oneTime, await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER));
    expect(fresh.status).toBe(200);
    expect(fresh.body.passwordChangeRequired).toBe(true);
    desk.close();
  });

  it("the one-time password's session may only change it; desktop clients are sent to the extension", async () => {
    const person = await registerPerson(companion);
    const { client: desk } = await pairDesktopClient(companion, await loginToken(companion, person));
    const oneTime = oneTimePasswordOf(await hallReset(person));
    const { body } = await login(person.phone, oneTime);
    const token = body.token as string;

    // Reading the session says so; anything else is refused until the password is changed.
    expect((await api(companion, "/api/session", { token })).body).toMatchObject({ passwordChangeRequired: true });
    for (const path of ["/api/my/grants", "/api/units/managed", "/api/desktop/clients"]) {
      const refused = await api(companion, path, { token });
      expect(refused.status, path).toBe(403);
      expect(refused.body).toMatchObject({
        code: "PASSWORD_CHANGE_REQUIRED",
        message: "您的密码已在办税服务厅重置，请先在浏览器扩展中修改密码",
      });
    }
    expect(await eventsAnswer(token)).toMatchObject({ type: "error", code: "PASSWORD_CHANGE_REQUIRED" });
    // The desktop protocol's login refuses it (no session), with the same code.
    const deskLogin = await desk.request("login", { account: person.loginName, password: oneTime }).then(
      () => null,
      (error: DesktopError) => error.body,
    );
    expect(deskLogin).toMatchObject({
      code: "PASSWORD_CHANGE_REQUIRED",
      message: expect.stringContaining("浏览器扩展"),
    });

    // The new password follows the registration rules and is not the one-time one.
    expect((await changePassword(token, { oldPassword: oneTime, newPassword: "short" })).body.code).toBe(
      "VALIDATION_FAILED",
    );
    const same = await changePassword(token, { oldPassword: oneTime, newPassword: oneTime });
    expect(same.body.fields).toEqual({ newPassword: "新密码不能与原密码相同" });
    // A wrong old password counts as a wrong login password: the next try needs a captcha.
    const wrongOld = await changePassword(token, { oldPassword: "Wrong#Pass1", newPassword: "NewPass#2027" });
    expect(wrongOld.body).toMatchObject({ code: "OLD_PASSWORD_WRONG", captchaRequired: true });
    expect((await changePassword(token, { oldPassword: oneTime, newPassword: "NewPass#2027" })).body.code).toBe(
      "CAPTCHA_REQUIRED",
    );
    const changed = await changePassword(token, {
      oldPassword: oneTime,
      newPassword: "NewPass#2027",
      ...(await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER)),
    });
    expect(changed.status).toBe(204);

    // The same session may now do everything; the one-time password no longer works.
    expect((await api(companion, "/api/my/grants", { token })).status).toBe(200);
    expect((await api(companion, "/api/session", { token })).body.passwordChangeRequired).toBe(false);
    expect(await eventsAnswer(token)).toEqual({ type: "ready" });
    expect((await login(person.loginName, oneTime)).body.code).toBe("LOGIN_FAILED");
    const again = await login(person.loginName, "NewPass#2027", await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER));
    expect(again.body.passwordChangeRequired).toBe(false);
    const deskAgain = await desk.request("login", { account: person.loginName, password: "NewPass#2027" });
    expect(deskAgain.person.loginName).toBe(person.loginName);
    desk.close();
  });

  it("checks document type, number and name against a registered person", async () => {
    const person = await registerPerson(companion, newPerson({ name: "宋晓明" }));
    expect(
      await cliError(
        "hall",
        "password",
        "reset",
        "--doc-type",
        person.docType,
        "--doc-number",
        person.docNumber,
        "--name",
        "宋小明",
      ),
    ).toContain("未找到与填写信息一致的账户");
    const stranger = newPerson();
    expect(
      await cliError(
        "hall",
        "password",
        "reset",
        "--doc-type",
        stranger.docType,
        "--doc-number",
        stranger.docNumber,
        "--name",
        stranger.name,
      ),
    ).toContain("未找到与填写信息一致的账户");
    expect(
      await cliError(
        "hall",
        "password",
        "reset",
        "--doc-type",
        "居民身份证",
        "--doc-number",
        "123",
        "--name",
        "宋晓明",
      ),
    ).toContain("填写的信息不符合要求");
    // Nothing changed for the person.
    expect((await login(person.loginName, person.password)).status).toBe(200);
  });

  it("--phone binds a new phone in place of a lost one, never one bound to someone else", async () => {
    const person = await registerPerson(companion);
    const other = await registerPerson(companion);
    expect(
      await cliError(
        "hall",
        "password",
        "reset",
        "--doc-type",
        person.docType,
        "--doc-number",
        person.docNumber,
        "--name",
        person.name,
        "--phone",
        other.phone,
      ),
    ).toContain("手机号已被其他账户绑定");
    // Refused as a whole: the password is unchanged too.
    expect((await login(person.loginName, person.password)).status).toBe(200);

    const phone = newPhone();
    const slip = await hallReset(person, "--phone", phone);
    expect(slip).toContain(`绑定手机：\t${phone.slice(0, 3)}****${phone.slice(7)}（已更换为新手机号码）`);
    const oneTime = oneTimePasswordOf(slip);
    expect((await login(person.phone, oneTime)).body.code).toBe("LOGIN_FAILED");
    const byNewPhone = await login(phone, oneTime, await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER));
    expect(byNewPhone.status).toBe(200);
    expect(byNewPhone.body.person.maskedPhone).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
    // 忘记密码 now texts the new phone.
    const start = await api(companion, "/api/password/forgot/start", {
      body: {
        docType: person.docType,
        docNumber: person.docNumber,
        name: person.name,
        ...(await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER)),
      },
    });
    expect(start.status).toBe(200);
    expect((await textsTo(companion.dataDir, phone)).at(-1)).toMatch(
      /^【个人所得税】您正在进行找回密码，验证码 \d{6}，/,
    );
  });
});
