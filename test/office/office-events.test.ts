import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { DesktopClient } from "../../shared/desktop/client.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { within } from "../support/clock.js";
import {
  api,
  freshOfficeDatabase,
  KNOWN_CAPTCHA_ANSWER,
  lastSmsCode,
  type RunningCompanion,
  runCli,
  sharesOfficeOutbox,
  startCompanion,
} from "../support/companion.js";
import { type CompanionProcess, startCompanionProcess } from "../support/companion-process.js";
import { connectDesktop, desktopLoggedIn, pairDesktopClient } from "../support/desktop.js";
import { grantOverApi } from "../support/grants.js";
import {
  hallPasswordReset,
  loginToken,
  newPerson,
  oneTimePasswordOf,
  registerPerson,
  solvedCaptcha,
  type TestPerson,
} from "../support/people.js";
import { connectQrSocket, showQr } from "../support/qr.js";
import { postgresDump } from "../support/stored-bytes.js";
import { addUnit, setOfficer } from "../support/units.js";

/**
 * Office mode as two desktops run it: companion A in the test's process, companion B in a process
 * of its own (its own data dir and OS keychain), both on one PostgreSQL database. What happens
 * through one must reach the people connected to the other, at once.
 *
 * People are registered and captchas issued through A: its captcha answers are known to the test
 * (both hash them under the office's one pepper, so either could check them).
 */
describe("two companions, one office database", () => {
  let a: RunningCompanion;
  let b: CompanionProcess;
  let tin: string;
  let rep: TestPerson;
  let repTokenOnA: string;

  beforeAll(async () => {
    const databaseUrl = await freshOfficeDatabase();
    a = await startCompanion({ databaseUrl });
    // B joins the office with a code A's machine gives, as a second desktop does once.
    const { code } = await a.app.core.office!.invite();
    b = await startCompanionProcess({ databaseUrl, before: [["office", "join", "--code", code, "--name", "电脑B"]] });
    sharesOfficeOutbox(b.dataDir, a.dataDir);
    tin = (await addUnit(a, { name: "广东QJ4核定4" })).tin;
    rep = await registerPerson(a, newPerson({ name: "王法人" }));
    await setOfficer(a, { tin, role: "法定代表人", person: rep });
    repTokenOnA = await loginToken(a, rep);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** A person registered (through A) and paired and logged in with a desktop client on B. */
  async function clerkOnB(name: string) {
    const clerk = await registerPerson(a, newPerson({ name }));
    const tokenOnB = await loginToken(b, clerk);
    const { client, clientToken } = await pairDesktopClient(b, tokenOnB);
    client.close();
    return { clerk, tokenOnB, clientToken, desk: await desktopLoggedIn(b, clientToken, clerk) };
  }

  it("a grant revoked through A ends the unit session of a desktop client on B within a second", async () => {
    const { clerk, desk } = await clerkOnB("宋晓明");
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const grant = await grantOverApi(a, repTokenOnA, tin, clerk);
      expect(grant.status).toBe(200);
      expect((await desk.request("unit.enter", { tin })).via).toBe("grant");
      const ended = desk.nextEvent("unit.ended");
      const started = performance.now();
      const revoked = await api(a, `/api/units/${tin}/grants/${grant.body.id}/revoke`, {
        token: repTokenOnA,
        body: {},
      });
      expect(revoked.status).toBe(200);
      expect(await within(ended, 1_000, "unit.ended")).toEqual({
        event: "unit.ended",
        tin,
        reason: "您对该单位的办税授权已解除或已过期",
      });
      latencies.push(performance.now() - started);
    }
    latencies.sort((x, y) => x - y);
    const at = (q: number) => latencies[Math.ceil(q * latencies.length) - 1]?.toFixed(1);
    console.info(`revoke on A → unit.ended on B (${latencies.length} runs): p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`);
    // B's once-a-second poll alone would put the p95 near a second: this is A's notice. (The budget,
    // 100 ms, is measured on a quiet machine; here other tests may be running.)
    expect(Number(at(0.95))).toBeLessThan(500);
    desk.close();
  });

  it("a 申报密码 set through A is checked on B, and resetting it through A ends B's unit session", async () => {
    const { tin: unit } = await addUnit(a, { name: "广东QJ1查账" });
    await a.app.core.declarationPasswords.set(unit, "Office2026pw");
    const { desk } = await clerkOnB("周申报");
    // B opens the hash A sealed in the shared database.
    expect(await desk.request("unit.enter", { tin: unit, declarationPassword: "Office2026pw" })).toMatchObject({
      via: "password",
    });
    const ended = desk.nextEvent("unit.ended");
    await a.app.core.declarationPasswords.set(unit, "Office2027pw");
    expect(await within(ended, 1_000, "unit.ended after the reset")).toEqual({
      event: "unit.ended",
      tin: unit,
      reason: "该单位的申报密码已重置，请使用新密码重新进入",
    });
    desk.close();
  });

  it("a clerk's event stream on B hears the grant made through A (我的办税权限 live)", async () => {
    const { clerk, tokenOnB, desk } = await clerkOnB("李办税");
    desk.close();
    const stream = await eventStream(b, tokenOnB);
    const grant = await grantOverApi(a, repTokenOnA, tin, clerk);
    expect(await within(stream.next("grant-changed"), 1_000, "grant-changed")).toEqual({
      type: "grant-changed",
      unitTin: tin,
      unitName: "广东QJ4核定4",
      grantId: grant.body.id,
      change: "added",
      forGrantee: true,
    });
    stream.close();
  });

  it("忘记密码 through A ends the person's login on B at once: its desktop client and its event stream", async () => {
    const { clerk, tokenOnB, desk } = await clerkOnB("赵重置");
    const stream = await eventStream(b, tokenOnB);
    const loginEnded = desk.nextEvent("session.ended");
    const streamEnded = stream.next("session-ended");
    const start = await api(a, "/api/password/forgot/start", {
      body: {
        docType: clerk.docType,
        docNumber: clerk.docNumber,
        name: clerk.name,
        ...(await solvedCaptcha(a, KNOWN_CAPTCHA_ANSWER)),
      },
    });
    expect(start.status).toBe(200);
    const done = await api(a, "/api/password/forgot/complete", {
      body: {
        resetTicket: start.body.resetTicket,
        smsCode: await lastSmsCode(a.dataDir, clerk.phone),
        newPassword: "NewPass#2027",
      },
    });
    expect(done.status).toBe(204);
    // The stream's own check comes every 30 s, the client's every second: this is the notice.
    expect(await within(streamEnded, 1_000, "session-ended on the stream")).toEqual({
      type: "session-ended",
      reason: "expired",
    });
    expect(await within(loginEnded, 1_000, "session.ended on the desktop")).toEqual({
      event: "session.ended",
      reason: "登录已失效，请重新登录",
    });
    desk.close();
    stream.close();
  });

  it("a text sent by B waits in the office's outbox: any member's hall sms-outbox reads it, a dump does not", async () => {
    const clerk = await registerPerson(a, newPerson({ name: "孙短信" }));
    const start = await api(b, "/api/password/forgot/start", {
      body: {
        docType: clerk.docType,
        docNumber: clerk.docNumber,
        name: clerk.name,
        ...(await solvedCaptcha(a, KNOWN_CAPTCHA_ANSWER)),
      },
    });
    expect(start.status).toBe(200);
    // A third process on A's machine (its keychain holds the office key), as the hall would run it.
    const listed = await runCli(["hall", "sms-outbox", "--phone", clerk.phone], {
      dataDir: a.dataDir,
      databaseUrl: b.databaseUrl,
    });
    const smsCode = [...listed.matchAll(/验证码 (\d{6})/g)].at(-1)?.[1]; // after the registration's
    expect(smsCode).toMatch(/^\d{6}$/);
    expect((await postgresDump(b.databaseUrl)).includes(Buffer.from(`验证码 ${smsCode}`))).toBe(false);
    const done = await api(b, "/api/password/forgot/complete", {
      body: { resetTicket: start.body.resetTicket, smsCode, newPassword: "NewPass#2028" },
    });
    expect(done.status).toBe(204);
  });

  it("a hall code issued by a third process registers the person on B, who can then log in on A", async () => {
    const person = newPerson({ name: "钱大厅" });
    const slip = await runCli(
      ["hall", "code", "issue", "--doc-type", person.docType, "--doc-number", person.docNumber, "--name", person.name],
      { dataDir: a.dataDir, databaseUrl: b.databaseUrl },
    );
    const code = slip.match(/您的注册码为 (\S+) ，/)?.[1];
    expect(code).toBeTruthy();
    await registerPerson(b, person, code);
    expect(await loginToken(a, person)).toBeTruthy();
  });

  it("a password reset at the hall by a third process ends the person's sessions on A and B", async () => {
    const person = await registerPerson(a, newPerson({ name: "孙重置" }));
    const onA = await loginToken(a, person);
    const onB = await loginToken(b, person);
    // A third process: A's data dir (its keychain, as the hall's machine), on the office database.
    const slip = await hallPasswordReset({ dataDir: a.dataDir, databaseUrl: b.databaseUrl }, person);
    const oneTime = oneTimePasswordOf(slip);
    expect((await api(a, "/api/session", { token: onA })).status).toBe(401);
    expect((await api(b, "/api/session", { token: onB })).status).toBe(401);
    // Changed on B, the new password is the one on A too.
    const fresh = await api(b, "/api/login", { body: { account: person.loginName, password: oneTime } });
    expect(fresh.body.passwordChangeRequired).toBe(true);
    const changed = await api(b, "/api/password/change", {
      token: fresh.body.token,
      body: { oldPassword: oneTime, newPassword: "NewPass#2027" },
    });
    expect(changed.status).toBe(204);
    const onANow = await api(a, "/api/login", { body: { account: person.loginName, password: "NewPass#2027" } });
    expect(onANow.body.passwordChangeRequired).toBe(false);
  });

  it("200 wrong logins split over A and B at once: exactly 5 are evaluated, then the account is locked on both", async () => {
    const person = await registerPerson(a, newPerson({ name: "锁定测试" }));
    // Captchas come from A (its answers are known); the shared database lets B check them too.
    const captchas = await Promise.all(Array.from({ length: 200 }, () => solvedCaptcha(a, KNOWN_CAPTCHA_ANSWER)));
    const results = await Promise.all(
      captchas.map((captcha, i) =>
        api(i % 2 === 0 ? a : b, "/api/login", {
          body: { account: person.loginName, password: "Wrong#Pass1", ...captcha },
        }),
      ),
    );
    const codes = results.map((r) => r.body.code as string);
    const evaluated = codes.filter((code) => code === "LOGIN_FAILED").length;
    expect(evaluated).toBeLessThanOrEqual(4);
    expect(codes.every((code) => ["LOGIN_FAILED", "ACCOUNT_LOCKED", "CAPTCHA_REQUIRED"].includes(code))).toBe(true);
    expect(await a.app.core.sql.all("SELECT failures FROM login_guards WHERE subject LIKE 'person:%'")).toContainEqual({
      failures: 5,
    });
    // Locked everywhere, the right password too.
    for (const companion of [a, b]) {
      const right = await api(companion, "/api/login", {
        body: {
          account: person.loginName,
          password: person.password,
          ...(await solvedCaptcha(a, KNOWN_CAPTCHA_ANSWER)),
        },
      });
      expect(right.body).toMatchObject({ code: "ACCOUNT_LOCKED" });
    }
  });

  it("扫码登录: a code shown by a desktop client on B, confirmed by a person logged in on A, logs the client in", async () => {
    const { clientToken } = await clerkOnB("钱客户端");
    const approver = await registerPerson(a, newPerson({ name: "孙审批" }));
    const approverToken = await loginToken(a, approver);
    const client = await connectedClient(b, clientToken);
    const { keys, created } = await showQr(client);
    const scanned = client.nextEvent("qr.scanned");
    const seen = await api(a, "/api/qr-login/scan", { token: approverToken, body: { qrText: created.qrText } });
    expect(seen.body).toMatchObject({ ref: created.ref, clientKind: "desktop", clientName: "扣缴客户端" });
    expect((await within(scanned, 1_000, "qr.scanned")).approverName).toBe("**批");
    const confirmed = client.nextEvent("qr.confirmed");
    expect((await api(a, "/api/qr-login/confirm", { token: approverToken, body: { ref: created.ref } })).status).toBe(
      204,
    );
    await within(confirmed, 1_000, "qr.confirmed");
    const redeemed = await client.request("qr.redeem", {
      ref: created.ref,
      proof: await keys.proofFor(created.challenge),
    });
    expect(redeemed.person.maskedName).toBe("**批");
    // B's client is now logged in as the approver: it may list the approver's units.
    expect((await client.request("units.list", {})).totals.count).toBe(0);
    client.close();
  });

  it("扫码登录 the other way: a code shown by the popup on A, confirmed by a desktop client logged in on B", async () => {
    const { desk } = await clerkOnB("周确认");
    const popup = await connectQrSocket(a);
    const { keys, created } = await showQr(popup);
    const scanned = popup.nextEvent("qr.scanned");
    expect(await desk.request("qr.scan", { qrText: created.qrText })).toMatchObject({ clientKind: "browser" });
    expect((await within(scanned, 1_000, "qr.scanned")).approverName).toBe("**认");
    const confirmed = popup.nextEvent("qr.confirmed");
    await desk.request("qr.confirm", { ref: created.ref });
    await within(confirmed, 1_000, "qr.confirmed");
    const redeemed = await popup.request("qr.redeem", {
      ref: created.ref,
      proof: await keys.proofFor(created.challenge),
    });
    const token = await keys.openToken(redeemed.sealedToken);
    expect((await api(a, "/api/session", { token })).body.person.id).toBe(redeemed.person.id);
    popup.close();
    desk.close();
  });
});

/** A paired desktop client's new connection, not logged in. */
async function connectedClient(companion: { url: string }, clientToken: string): Promise<DesktopClient> {
  const client = await connectDesktop(companion);
  await client.request("hello", { clientToken });
  return client;
}

/** The extension's /api/events socket, authenticated; `next(type)` is the next event of that type. */
async function eventStream(companion: { url: string }, token: string) {
  const socket = new WebSocket(`${companion.url.replace("http", "ws")}/api/events`, { origin: EXTENSION_ORIGIN });
  const events: Array<{ type: string }> = [];
  const waiting: Array<{ type: string; resolve: (event: unknown) => void }> = [];
  socket.on("message", (data) => {
    const event = JSON.parse(String(data));
    const found = waiting.findIndex((w) => w.type === event.type);
    if (found === -1) events.push(event);
    else waiting.splice(found, 1)[0]?.resolve(event);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => socket.send(JSON.stringify({ type: "auth", token })));
    socket.once("message", () => resolve());
    socket.once("error", reject);
  });
  expect(events.shift()).toEqual({ type: "ready" });
  return {
    next: (type: string) =>
      new Promise<unknown>((resolve) => {
        const found = events.findIndex((event) => event.type === type);
        if (found === -1) waiting.push({ type, resolve });
        else resolve(events.splice(found, 1)[0]);
      }),
    close: () => socket.close(),
  };
}
