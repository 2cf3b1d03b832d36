/**
 * 安全中心 on the real companion (SQLite, and PostgreSQL in the postgres project): 最近登录 as
 * password and 扫码登录 logins on the browser and desktop clients record them; 绑定手机 for an account
 * the hall left without a phone; 更换手机 with the old number told; 修改密码 and its effect on the
 * person's other sessions; every change in the audit chain. The CLI parts need `npm run build:companion`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOGINS_KEPT } from "../../companion/accounts/login-history.js";
import { maskPhone } from "../../shared/identity/account-rules.js";
import {
  api,
  KNOWN_CAPTCHA_ANSWER,
  lastSmsCode,
  type RunningCompanion,
  startCompanion,
  textsTo,
} from "../support/companion.js";
import { desktopLoggedIn, pairDesktopClient } from "../support/desktop.js";
import {
  hallPasswordReset,
  newPerson,
  newPhone,
  oneTimePasswordOf,
  registerPerson,
  solvedCaptcha,
  type TestPerson,
} from "../support/people.js";
import { connectQrSocket, showQr } from "../support/qr.js";

let companion: RunningCompanion;
beforeEach(async () => {
  companion = await startCompanion();
});
afterEach(() => companion.close());

const CHROME_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const browserLogin = (person: Pick<TestPerson, "loginName" | "password">, extra: Record<string, string> = {}) =>
  api(companion, "/api/login", {
    body: { account: person.loginName, password: person.password, ...extra },
    headers: { "user-agent": CHROME_UA },
  });
const tokenOf = async (person: TestPerson) => (await browserLogin(person)).body.token as string;
const captcha = () => solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER);
const sendBindCode = (token: string, phone: string) =>
  api(companion, "/api/security/phone/sms", { token, body: { phone } });
const bindPhone = (token: string, body: Record<string, string>) =>
  api(companion, "/api/security/phone", { token, body });
/** Sends the code to `phone` and binds it with the person's password. */
async function bindWithCode(token: string, person: TestPerson, phone: string) {
  expect((await sendBindCode(token, phone)).status).toBe(200);
  return bindPhone(token, { phone, smsCode: await lastSmsCode(companion.dataDir, phone), password: person.password });
}
const changePassword = (token: string, body: Record<string, string>) =>
  api(companion, "/api/password/change", { token, body });
/** The account rows of the audit chain, oldest first. */
const accountAudit = (personId: string) =>
  companion.app.core.sql.all<{ action: string; actor_role: string; before: string | null; after: string | null }>(
    "SELECT action, actor_role, before, after FROM audit_log WHERE unit_tin IS NULL AND actor_id = ? ORDER BY seq",
    [personId],
  );
const idOf = async (person: TestPerson) =>
  (await companion.app.core.people.byLoginName(person.loginName))?.id as string;
const hallResetUnbinding = (person: TestPerson, ...more: string[]) =>
  hallPasswordReset(companion, person, "--unbind-phone", ...more);

describe("安全中心: 最近登录", () => {
  it("lists each login newest first: when, 密码 or 扫码登录, which client, and which sessions are live", async () => {
    const person = await registerPerson(companion, newPerson({ name: "宋晓明" }));
    const first = await tokenOf(person);
    const { clientToken, client: pairing } = await pairDesktopClient(companion, first, "财务室电脑");
    pairing.close();
    const desk = await desktopLoggedIn(companion, clientToken, person);

    // 扫码登录 of the popup, approved by the first session.
    const requester = await connectQrSocket(companion);
    const { keys, created } = await showQr(requester);
    await api(companion, "/api/qr-login/scan", { token: first, body: { qrText: created.qrText } });
    const confirmed = requester.nextEvent("qr.confirmed");
    await api(companion, "/api/qr-login/confirm", { token: first, body: { ref: created.ref } });
    await confirmed;
    const redeemed = await requester.request("qr.redeem", {
      ref: created.ref,
      proof: await keys.proofFor(created.challenge),
    });
    const viaQr = await keys.openToken(redeemed.sealedToken);
    requester.close();
    await api(companion, "/api/logout", { token: first, body: {} });
    const current = await tokenOf(person);

    const { status, body } = await api(companion, "/api/security/logins", { token: current });
    expect(status).toBe(200);
    expect(body.total).toBe(4);
    expect(body.nextCursor).toBeNull();
    expect(
      body.items.map((login: Record<string, string>) => [
        login.method,
        login.clientKind,
        login.clientName,
        login.state,
      ]),
    ).toEqual([
      ["password", "browser", "Chrome 131 · Linux", "current"],
      ["qr", "browser", "Chrome 131 · Linux", "live"],
      ["password", "desktop", "财务室电脑", "live"],
      ["password", "browser", "Chrome 131 · Linux", "ended"],
    ]);
    const times = body.items.map((login: { at: string }) => Date.parse(login.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // The overview names the newest login other than this one, and the phone, masked.
    const overview = await api(companion, "/api/security", { token: current });
    expect(overview.body).toEqual({ maskedPhone: maskPhone(person.phone), previousLogin: body.items[1] });
    // Seen from the 扫码登录 session, that one is "current" and this one merely live.
    const fromQr = await api(companion, "/api/security/logins", { token: viaQr });
    expect(fromQr.body.items.map((login: { state: string }) => login.state)).toEqual([
      "live",
      "current",
      "live",
      "ended",
    ]);

    // Paged like the other lists, and searched by client name on the companion.
    const page = await api(companion, "/api/security/logins?limit=3", { token: current });
    expect(page.body.items).toEqual(body.items.slice(0, 3));
    const rest = await api(companion, `/api/security/logins?limit=3&cursor=${page.body.nextCursor}`, {
      token: current,
    });
    expect(rest.body).toEqual({ items: body.items.slice(3), total: 4, nextCursor: null });
    const searched = await api(companion, `/api/security/logins?q=${encodeURIComponent("财务室")}`, { token: current });
    expect(searched.body).toMatchObject({ total: 1, items: [{ clientName: "财务室电脑" }] });
    // Nobody else's logins: another person sees only their own.
    const other = await registerPerson(companion);
    const others = await api(companion, "/api/security/logins", { token: await tokenOf(other) });
    expect(others.body.total).toBe(1);
    desk.close();
  });

  it(`keeps the last ${LOGINS_KEPT} logins of each person`, async () => {
    const person = await registerPerson(companion);
    let token = "";
    for (let i = 0; i < LOGINS_KEPT + 3; i++) token = await tokenOf(person);
    const rows = await companion.app.core.sql.value<number>("SELECT COUNT(*) FROM logins WHERE person_id = ?", [
      await idOf(person),
    ]);
    expect(Number(rows)).toBe(LOGINS_KEPT);
    const { body } = await api(companion, "/api/security/logins?limit=500", { token });
    expect(body.total).toBe(LOGINS_KEPT);
    expect(body.items[0].state).toBe("current");
  });

  it("needs a session", async () => {
    expect((await api(companion, "/api/security")).status).toBe(401);
    expect((await api(companion, "/api/security/logins", { token: "not-a-token" })).status).toBe(401);
    expect((await sendBindCode("not-a-token", newPhone())).body.code).toBe("UNAUTHENTICATED");
  });
});

describe("安全中心: 绑定手机 and 更换手机", () => {
  it("binds a phone to an account the hall left without one; 忘记密码 and login by phone then work", async () => {
    const person = await registerPerson(companion, newPerson({ name: "宋晓明" }));
    const both = await hallResetUnbinding(person, "--phone", newPhone()).catch(
      (error: { stderr: string }) => error.stderr,
    );
    expect(both).toContain("--phone 与 --unbind-phone 只能选一个");
    const slip = await hallResetUnbinding(person);
    expect(slip).toContain("绑定手机：\t未绑定（原手机号码已解除绑定，登录后请在安全中心绑定新手机）");
    const oneTime = oneTimePasswordOf(slip);
    // The lost number no longer logs in nor resets the password.
    expect((await api(companion, "/api/login", { body: { account: person.phone, password: oneTime } })).body.code).toBe(
      "LOGIN_FAILED",
    );
    const token = (await browserLogin({ loginName: person.loginName, password: oneTime }, await captcha())).body
      .token as string;
    // 安全中心 waits for the one-time password to be changed.
    expect((await api(companion, "/api/security", { token })).body.code).toBe("PASSWORD_CHANGE_REQUIRED");
    const renewed = { ...person, password: "Fresh&Pass42" };
    expect((await changePassword(token, { oldPassword: oneTime, newPassword: renewed.password })).status).toBe(204);
    expect((await api(companion, "/api/security", { token })).body.maskedPhone).toBeNull();
    const forgot = async () =>
      api(companion, "/api/password/forgot/start", {
        body: { docType: person.docType, docNumber: person.docNumber, name: person.name, ...(await captcha()) },
      });
    // 忘记密码 answers as for anyone (it never tells whether there is a phone); no text goes anywhere.
    expect((await forgot()).status).toBe(200);

    const phone = newPhone();
    expect((await sendBindCode(token, "12345")).body.fields).toEqual({ phone: "手机号码应为11位中国大陆手机号" });
    const sent = await sendBindCode(token, phone);
    expect(sent.body).toEqual({ maskedPhone: maskPhone(phone), resendAfter: 60 });
    expect((await textsTo(companion.dataDir, phone)).at(-1)).toMatch(
      /^【个人所得税】您正在进行绑定手机，验证码 \d{6}，/,
    );
    // A second code within the cooldown is refused, as for every SMS.
    expect((await sendBindCode(token, phone)).body).toMatchObject({ code: "SMS_COOLDOWN", retryAfter: 60 });

    // A wrong SMS code is refused (and counted); the phone stays unbound.
    const code = await lastSmsCode(companion.dataDir, phone);
    const wrongCode = code === "000000" ? "111111" : "000000";
    const refused = await bindPhone(token, { phone, smsCode: wrongCode, password: renewed.password });
    expect(refused.body.code).toBe("SMS_CODE_INVALID");
    // A code sent to one number does not bind another.
    expect((await bindPhone(token, { phone: newPhone(), smsCode: code, password: renewed.password })).body.code).toBe(
      "SMS_CODE_INVALID",
    );
    expect((await api(companion, "/api/security", { token })).body.maskedPhone).toBeNull();

    const bound = await bindPhone(token, { phone, smsCode: code, password: renewed.password });
    expect(bound).toEqual({ status: 200, body: { maskedPhone: maskPhone(phone) } });
    expect((await api(companion, "/api/session", { token })).body.person.maskedPhone).toBe(maskPhone(phone));
    // Binding it again is refused: it is this account's already.
    expect((await bindPhone(token, { phone, smsCode: code, password: renewed.password })).body.code).toBe(
      "PHONE_ALREADY_BOUND",
    );
    expect((await forgot()).status).toBe(200);
    expect((await textsTo(companion.dataDir, phone)).at(-1)).toMatch(/^【个人所得税】您正在进行找回密码，/);
    expect((await api(companion, "/api/login", { body: { account: phone, password: renewed.password } })).status).toBe(
      200,
    );

    // The audit chain has the hall's reset (the phone unbound), the change and the binding.
    expect(await accountAudit(await idOf(person))).toEqual([
      {
        action: "重置密码",
        actor_role: "办税服务厅",
        before: JSON.stringify({ phone: maskPhone(person.phone) }),
        after: null,
      },
      { action: "修改密码", actor_role: "本人", before: null, after: null },
      { action: "绑定手机", actor_role: "本人", before: null, after: JSON.stringify({ phone: maskPhone(phone) }) },
    ]);
    expect((await companion.app.core.audit.verify()).ok).toBe(true);
    expect(companion.logs.join("")).not.toContain(code);
  });

  it("更换手机: the new number's code and the password; the old number is told it was replaced", async () => {
    const person = await registerPerson(companion);
    const token = await tokenOf(person);
    const phone = newPhone();
    const textsBefore = (await textsTo(companion.dataDir, person.phone)).length;
    expect((await bindWithCode(token, person, phone)).body).toEqual({ maskedPhone: maskPhone(phone) });

    const told = (await textsTo(companion.dataDir, person.phone)).slice(textsBefore);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(
      new RegExp(
        `^【个人所得税】您的账户绑定的手机号码已于\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}更换为${maskPhone(phone).replace(/\*/g, "\\*")}，`,
      ),
    );
    expect(told[0]).not.toContain(phone);
    expect(told[0]).not.toMatch(/验证码/);

    // The old number logs in no more; the new one does.
    expect(
      (await api(companion, "/api/login", { body: { account: person.phone, password: person.password } })).body.code,
    ).toBe("LOGIN_FAILED");
    expect((await browserLogin({ loginName: phone, password: person.password }, await captcha())).status).toBe(200);
    expect((await accountAudit(await idOf(person))).at(-1)).toEqual({
      action: "更换手机",
      actor_role: "本人",
      before: JSON.stringify({ phone: maskPhone(person.phone) }),
      after: JSON.stringify({ phone: maskPhone(phone) }),
    });
  });

  it("refuses a number bound to another account, or already this one's, before any SMS", async () => {
    const person = await registerPerson(companion);
    const other = await registerPerson(companion);
    const token = await tokenOf(person);
    const textsToOther = (await textsTo(companion.dataDir, other.phone)).length;
    expect((await sendBindCode(token, other.phone)).body).toEqual({
      code: "PHONE_TAKEN",
      message: "手机号已被其他账户绑定",
    });
    expect((await sendBindCode(token, person.phone)).body.code).toBe("PHONE_ALREADY_BOUND");
    expect(await textsTo(companion.dataDir, other.phone)).toHaveLength(textsToOther);

    // A number free when its code was sent but bound by someone else before the binding is refused too.
    const phone = newPhone();
    await sendBindCode(token, phone);
    const code = await lastSmsCode(companion.dataDir, phone);
    await hallPasswordReset(companion, other, "--phone", phone);
    expect((await bindPhone(token, { phone, smsCode: code, password: person.password })).body.code).toBe("PHONE_TAKEN");
    expect((await api(companion, "/api/security", { token })).body.maskedPhone).toBe(maskPhone(person.phone));
  });

  it("a wrong login password counts toward the login's lock: captcha next, locked at the fifth", async () => {
    const person = await registerPerson(companion);
    const token = await tokenOf(person);
    const phone = newPhone();
    await sendBindCode(token, phone);
    const smsCode = await lastSmsCode(companion.dataDir, phone);

    const wrong = await bindPhone(token, { phone, smsCode, password: "Wrong#Pass1" });
    expect(wrong.body).toMatchObject({
      code: "PASSWORD_WRONG",
      message: "登录密码错误",
      captchaRequired: true,
      attemptsLeft: 4,
    });
    expect((await bindPhone(token, { phone, smsCode, password: person.password })).body.code).toBe("CAPTCHA_REQUIRED");
    for (let i = 0; i < 3; i++)
      await bindPhone(token, { phone, smsCode, password: "Wrong#Pass1", ...(await captcha()) });
    const fifth = await bindPhone(token, { phone, smsCode, password: "Wrong#Pass1", ...(await captcha()) });
    expect(fifth.body).toMatchObject({ code: "ACCOUNT_LOCKED", retryAfter: 7200 });
    // The lock is the account's: the right password no longer logs in either (answered as that
    // identifier's own wrong try, which does not tell the lock apart).
    expect((await browserLogin(person, await captcha())).body).toMatchObject({ code: "LOGIN_FAILED", attemptsLeft: 4 });
    // The SMS code was never tried: nothing was bound.
    expect((await api(companion, "/api/security", { token })).body.maskedPhone).toBe(maskPhone(person.phone));
  });
});

describe("安全中心: 修改密码", () => {
  it("a wrong old password counts like a wrong login; the right one ends the other sessions and keeps this one", async () => {
    const person = await registerPerson(companion);
    const elsewhere = await tokenOf(person);
    const { clientToken, client: pairing } = await pairDesktopClient(companion, elsewhere);
    pairing.close();
    const desk = await desktopLoggedIn(companion, clientToken, person);
    const token = await tokenOf(person);

    const wrong = await changePassword(token, { oldPassword: "Wrong#Pass1", newPassword: "Fresh&Pass42" });
    expect(wrong.body).toMatchObject({ code: "OLD_PASSWORD_WRONG", captchaRequired: true, attemptsLeft: 4 });
    // Counted on the account's counter, which the login's lock is kept on.
    expect(
      await companion.app.core.sql.all("SELECT failures FROM login_guards WHERE subject = ?", [
        `person:${await idOf(person)}`,
      ]),
    ).toEqual([{ failures: 1 }]);
    // Nothing changed meanwhile: every session still works.
    expect((await api(companion, "/api/my/grants", { token: elsewhere })).status).toBe(200);

    const deskEnded = desk.nextEvent("session.ended");
    const changed = await changePassword(token, {
      oldPassword: person.password,
      newPassword: "Fresh&Pass42",
      ...(await captcha()),
    });
    expect(changed.status).toBe(204);
    expect((await api(companion, "/api/my/grants", { token })).status).toBe(200);
    expect((await api(companion, "/api/session", { token: elsewhere })).status).toBe(401);
    expect(await deskEnded).toMatchObject({ event: "session.ended" });
    // The success cleared the counter; the old password is gone, the new one logs in.
    expect((await browserLogin(person)).body.code).toBe("LOGIN_FAILED");
    expect((await browserLogin({ ...person, password: "Fresh&Pass42" }, await captcha())).status).toBe(200);

    const logins = await api(companion, "/api/security/logins", { token });
    expect(logins.body.items.map((login: { state: string }) => login.state)).toEqual([
      "live",
      "current",
      "ended",
      "ended",
    ]);
    expect((await accountAudit(await idOf(person))).map((row) => row.action)).toEqual(["修改密码"]);
    expect((await companion.app.core.audit.verify()).ok).toBe(true);
    desk.close();
  });

  it("five wrong old passwords lock the account, as five wrong logins do", async () => {
    const person = await registerPerson(companion);
    const token = await tokenOf(person);
    await changePassword(token, { oldPassword: "Wrong#Pass1", newPassword: "Fresh&Pass42" });
    for (let i = 0; i < 3; i++)
      await changePassword(token, { oldPassword: "Wrong#Pass1", newPassword: "Fresh&Pass42", ...(await captcha()) });
    const fifth = await changePassword(token, {
      oldPassword: "Wrong#Pass1",
      newPassword: "Fresh&Pass42",
      ...(await captcha()),
    });
    expect(fifth.body).toMatchObject({ code: "ACCOUNT_LOCKED", retryAfter: 7200 });
    const right = await changePassword(token, {
      oldPassword: person.password,
      newPassword: "Fresh&Pass42",
      ...(await captcha()),
    });
    expect(right.body.code).toBe("ACCOUNT_LOCKED");
    // Nor does the login get in: it answers as the 登录名's own first wrong try.
    expect((await browserLogin(person, await captcha())).body).toMatchObject({ code: "LOGIN_FAILED", attemptsLeft: 4 });
  });
});
