import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { DesktopClient } from "../../shared/desktop/client.js";
import { DesktopError } from "../../shared/desktop/client.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import {
  api,
  KNOWN_CAPTCHA_ANSWER,
  type RunningCompanion,
  runCli,
  startCompanion,
  storeOf,
} from "../support/companion.js";
import { desktopLoggedIn, pairDesktopClient } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

let companion: RunningCompanion;
let tin: string;
let rep: TestPerson;
let clerk: TestPerson;
let clientToken: string;
const PASSWORD = "Qj4pass2026";

beforeEach(async () => {
  companion = await startCompanion();
  tin = (await addUnit(companion, { name: "广东QJ4核定4" })).tin;
  rep = await registerPerson(companion, newPerson({ name: "王法人" }));
  clerk = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  await setOfficer(companion, { tin, role: "法定代表人", person: rep });
  await companion.app.core.declarationPasswords.set(tin, PASSWORD);
  // Pair one desktop client for the tests, approved by the clerk in the popup.
  const pairing = await pairDesktopClient(companion, await loginToken(companion, clerk));
  clientToken = pairing.clientToken;
  pairing.client.close();
});
afterEach(() => companion.close());

/** A paired desktop connection with the person logged in. */
function desktopAs(person: TestPerson): Promise<DesktopClient> {
  return desktopLoggedIn(companion, clientToken, person);
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: "accepted" }),
    (error: unknown) => (error instanceof DesktopError ? error.body : { code: String(error) }),
  );

const captcha = async (client: DesktopClient) => {
  const { captchaId } = await client.request("captcha", {});
  return { captchaId, captchaAnswer: KNOWN_CAPTCHA_ANSWER };
};

describe("单位办税验证", () => {
  it("the legal rep and a grantee enter directly", async () => {
    const repDesk = await desktopAs(rep);
    expect(await repDesk.request("unit.enter", { tin })).toEqual({ tin, name: "广东QJ4核定4", via: "office" });
    await api(companion, `/api/units/${tin}/grants`, {
      token: await loginToken(companion, rep),
      body: {
        docType: clerk.docType,
        docNumber: clerk.docNumber,
        name: clerk.name,
        permission: "办税权限",
        termType: "长期",
        startDate: "2020-01-01",
      },
    });
    const clerkDesk = await desktopAs(clerk);
    expect((await clerkDesk.request("unit.enter", { tin })).via).toBe("grant");
    expect(await clerkDesk.request("unit.leave", { tin })).toEqual({});
    expect((await refusal(clerkDesk.request("unit.leave", { tin }))).code).toBe("NOT_IN_UNIT");
    repDesk.close();
    clerkDesk.close();
  });

  it("anyone else needs the 申报密码; the captcha after a failure; the fifth failure locks for 120 minutes", async () => {
    const desk = await desktopAs(clerk);
    expect((await refusal(desk.request("unit.enter", { tin }))).code).toBe("DECLARATION_PASSWORD_REQUIRED");
    expect(await refusal(desk.request("unit.enter", { tin, declarationPassword: "wrong1234" }))).toMatchObject({
      code: "DECLARATION_PASSWORD_WRONG",
      captchaRequired: true,
      attemptsLeft: 4,
    });
    expect((await refusal(desk.request("unit.enter", { tin, declarationPassword: PASSWORD }))).code).toBe(
      "CAPTCHA_REQUIRED",
    );
    for (let i = 0; i < 3; i++) {
      await desk
        .request("unit.enter", { tin, declarationPassword: "wrong1234", ...(await captcha(desk)) })
        .catch(() => {});
    }
    const fifth = await refusal(
      desk.request("unit.enter", { tin, declarationPassword: "wrong1234", ...(await captcha(desk)) }),
    );
    expect(fifth).toMatchObject({ code: "DECLARATION_LOCKED", retryAfter: 7200 });
    const right = await refusal(
      desk.request("unit.enter", { tin, declarationPassword: PASSWORD, ...(await captcha(desk)) }),
    );
    expect(right.code).toBe("DECLARATION_LOCKED");
    // The lock is this person's, at this unit: the legal rep is not affected, and it survives a restart.
    desk.close();
    companion = await companion.restart();
    const again = await desktopAs(clerk);
    expect((await refusal(again.request("unit.enter", { tin, declarationPassword: PASSWORD }))).code).toBe(
      "DECLARATION_LOCKED",
    );
    again.close();
  });

  it("200 concurrent wrong passwords: exactly 5 are checked, then everyone is locked out, the right password too", async () => {
    const desks = await Promise.all(Array.from({ length: 20 }, () => desktopAs(clerk)));
    const core = companion.app.core;
    const matches = core.declarationPasswords.matches;
    let checked = 0;
    core.declarationPasswords.matches = (unit, password) => {
      checked += 1;
      return matches(unit, password);
    };
    // Each try carries its own solved captcha, so only the counter can stop it.
    const tries = await Promise.all(
      desks.flatMap((desk) => Array.from({ length: 10 }, async () => ({ desk, ...(await captcha(desk)) }))),
    );
    const outcomes = await Promise.all(
      tries.map(({ desk, ...solved }) =>
        refusal(desk.request("unit.enter", { tin, declarationPassword: "wrong1234", ...solved })),
      ),
    );
    expect(checked).toBe(5);
    const codes = outcomes.map((o) => o.code);
    expect(codes.filter((c) => c === "DECLARATION_PASSWORD_WRONG")).toHaveLength(4);
    expect(codes.filter((c) => c === "DECLARATION_LOCKED")).toHaveLength(196);
    const right = await refusal(
      desks[0]!.request("unit.enter", { tin, declarationPassword: PASSWORD, ...(await captcha(desks[0]!)) }),
    );
    expect(right.code).toBe("DECLARATION_LOCKED");
    expect(checked).toBe(5);
    for (const desk of desks) desk.close();
  });

  it("a reset clears the lock and ends the sessions opened with the old password", async () => {
    const entered = await desktopAs(clerk);
    expect((await entered.request("unit.enter", { tin, declarationPassword: PASSWORD })).via).toBe("password");
    const ended = entered.nextEvent("unit.ended");
    const other = await registerPerson(companion, newPerson({ name: "赵敏" }));
    const locked = await desktopAs(other);
    for (let i = 0; i < 5; i++) {
      await locked
        .request("unit.enter", { tin, declarationPassword: "wrong1234", ...(i > 0 ? await captcha(locked) : {}) })
        .catch(() => {});
    }
    expect((await refusal(locked.request("unit.enter", { tin, declarationPassword: PASSWORD }))).code).toBe(
      "DECLARATION_LOCKED",
    );

    // The hall issues a new one, from another process.
    await runCli(["hall", "declaration-password", "issue", "--unit", tin, "--password", "Fresh2027pw"], {
      ...storeOf(companion),
    });
    const started = Date.now();
    expect(await ended).toEqual({ event: "unit.ended", tin, reason: "该单位的申报密码已重置，请使用新密码重新进入" });
    expect(Date.now() - started).toBeLessThan(1500);
    expect((await locked.request("unit.enter", { tin, declarationPassword: "Fresh2027pw" })).via).toBe("password");
    entered.close();
    locked.close();
  });

  it("revoking the grant ends the grantee's unit session within a second", async () => {
    const repToken = await loginToken(companion, rep);
    const grant = await api(companion, `/api/units/${tin}/grants`, {
      token: repToken,
      body: {
        docType: clerk.docType,
        docNumber: clerk.docNumber,
        name: clerk.name,
        permission: "办税权限",
        termType: "长期",
        startDate: "2020-01-01",
      },
    });
    const desk = await desktopAs(clerk);
    await desk.request("unit.enter", { tin });
    const ended = desk.nextEvent("unit.ended");
    const started = Date.now();
    await api(companion, `/api/units/${tin}/grants/${grant.body.id}/revoke`, { token: repToken, body: {} });
    expect(await ended).toEqual({ event: "unit.ended", tin, reason: "您对该单位的办税授权已解除或已过期" });
    expect(Date.now() - started).toBeLessThan(1000);
    desk.close();
  });

  it("many wrong tries across people alert the legal rep in the browser", async () => {
    const events: Array<Record<string, unknown>> = [];
    const socket = new WebSocket(`${companion.url.replace("http", "ws")}/api/events`, { origin: EXTENSION_ORIGIN });
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "auth", token: await loginToken(companion, rep) }));
    socket.on("message", (data) => events.push(JSON.parse(String(data))));
    const guessers = [clerk, await registerPerson(companion, newPerson({ name: "赵敏" }))];
    for (const [n, person] of guessers.entries()) {
      const desk = await desktopAs(person);
      for (let i = 0; i < 5; i++) {
        const solved = i > 0 ? await captcha(desk) : {};
        await desk.request("unit.enter", { tin, declarationPassword: `wrong${n}${i}abc`, ...solved }).catch(() => {});
      }
      desk.close();
    }
    for (let i = 0; i < 100 && !events.some((e) => e.type === "unit-alert"); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(events.find((e) => e.type === "unit-alert")).toEqual({
      type: "unit-alert",
      unitTin: tin,
      unitName: "广东QJ4核定4",
      failures: 10,
      windowMinutes: 60,
    });
    socket.close();
  });

  it("when the login ends (idle 30 minutes), the client is told and leaves its units", async () => {
    const desk = await desktopAs(rep);
    await desk.request("unit.enter", { tin });
    const ended = desk.nextEvent("session.ended");
    // Idle: nothing touches the login for 30 minutes. (The companion's clock is the wall clock here,
    // so the session row is aged instead.)
    await companion.app.core.sql.run("UPDATE sessions SET last_seen_at = last_seen_at - 31 * 60000");
    expect(await ended).toEqual({ event: "session.ended", reason: "登录已失效，请重新登录" });
    expect((await refusal(desk.request("units.list", {}))).code).toBe("NOT_LOGGED_IN");
    expect((await refusal(desk.request("unit.leave", { tin }))).code).toBe("NOT_LOGGED_IN");
    desk.close();
  });

  it("退出 ends the login on this connection and leaves its units", async () => {
    const desk = await desktopAs(rep);
    await desk.request("unit.enter", { tin });
    expect(await desk.request("logout", {})).toEqual({});
    expect((await refusal(desk.request("units.list", {}))).code).toBe("NOT_LOGGED_IN");
    await desk.request("login", { account: rep.loginName, password: rep.password });
    expect((await refusal(desk.request("unit.leave", { tin }))).code).toBe("NOT_IN_UNIT");
    desk.close();
  });

  it("忘记申报密码 gives the web reset link and the app's QR code", async () => {
    const desk = await desktopAs(clerk);
    const forgot = await desk.request("declaration.forgot", { tin });
    expect(forgot.notice).toContain("法定代表人或财务负责人");
    expect(forgot.webUrl).toBe(`chrome-extension://oioampiekdfjggehcapnjlppodbigldm/manage.html#unit=${tin}`);
    expect(forgot.appQrSvg).toMatch(/^<svg /);
    desk.close();
  });

  it("忘记申报密码's web link opens the store's extension when the companion lists one", async () => {
    await companion.close();
    const storeId = "abcdefghijklmnopabcdefghijklmnop";
    companion = await startCompanion({ extensionIds: [storeId] });
    await addUnit(companion, { tin, name: "广东QJ4核定4" });
    await registerPerson(companion, clerk);
    const pairing = await pairDesktopClient(companion, await loginToken(companion, clerk));
    pairing.client.close();
    const desk = await desktopLoggedIn(companion, pairing.clientToken, clerk);
    const forgot = await desk.request("declaration.forgot", { tin });
    expect(forgot.webUrl).toBe(`chrome-extension://${storeId}/manage.html#unit=${tin}`);
    desk.close();
  });
});
