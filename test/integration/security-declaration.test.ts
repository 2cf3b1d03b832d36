import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { HOUR, MINUTE } from "../../companion/clock.js";
import { declarationSubject } from "../../companion/declaration/passwords.js";
import { CLOSE_THRESHOLD } from "../../companion/declaration/unit-guard.js";
import { AppError } from "../../companion/errors.js";
import type { DesktopClient } from "../../shared/desktop/client.js";
import { DesktopError } from "../../shared/desktop/client.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import {
  KNOWN_CAPTCHA_ANSWER,
  manualClock,
  type RunningCompanion,
  runCli,
  startCompanion,
  storeOf,
} from "../support/companion.js";
import { desktopLoggedIn, pairDesktopClient } from "../support/desktop.js";
import { grantOverApi } from "../support/grants.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

/**
 * 申报密码 across many accounts (SPEC §5, §7): each person has 5 tries per unit, so N accounts
 * would have 5N. Past 20 failures in an hour at a unit, its password path closes for 120 minutes
 * for everyone without a grant or an office, and its managers are told.
 */

const PASSWORD = "Qj4pass2026";
const clock = manualClock(Date.now());
let companion: RunningCompanion;
let tin: string;
let rep: TestPerson;
let manager: TestPerson;
let grantee: TestPerson;
let clientToken: string;

beforeEach(async () => {
  companion = await startCompanion({ clock });
  tin = (await addUnit(companion, { name: "广东QJ4核定4" })).tin;
  rep = await registerPerson(companion, newPerson({ name: "王法人" }));
  manager = await registerPerson(companion, newPerson({ name: "钱管理" }));
  grantee = await registerPerson(companion, newPerson({ name: "孙办税" }));
  await setOfficer(companion, { tin, role: "法定代表人", person: rep });
  const repToken = await loginToken(companion, rep);
  expect((await grantOverApi(companion, repToken, tin, manager, { permission: "管理权限" })).status).toBe(200);
  expect((await grantOverApi(companion, repToken, tin, grantee)).status).toBe(200);
  await companion.app.core.declarationPasswords.set(tin, PASSWORD);
  clientToken = (await pairDesktopClient(companion, repToken)).clientToken;
});
afterEach(() => companion.close());

const desktopAs = (person: TestPerson): Promise<DesktopClient> => desktopLoggedIn(companion, clientToken, person);
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: "accepted" }) as Record<string, unknown>,
    (error: unknown) =>
      error instanceof DesktopError ? (error.body as Record<string, unknown>) : { code: String(error) },
  );
const captcha = async (client: DesktopClient) => {
  const { captchaId } = await client.request("captcha", {});
  return { captchaId, captchaAnswer: KNOWN_CAPTCHA_ANSWER };
};

/** The browser's event socket of a person: the unit alerts they get. */
async function alertsOf(person: TestPerson): Promise<{ alerts: Array<Record<string, unknown>>; close(): void }> {
  const alerts: Array<Record<string, unknown>> = [];
  const socket = new WebSocket(`${companion.url.replace("http", "ws")}/api/events`, { origin: EXTENSION_ORIGIN });
  await new Promise((resolve) => socket.once("open", resolve));
  const ready = new Promise((resolve) => socket.once("message", resolve));
  socket.on("message", (data) => {
    const event = JSON.parse(String(data));
    if (event.type === "unit-alert") alerts.push(event);
  });
  socket.send(JSON.stringify({ type: "auth", token: await loginToken(companion, person) }));
  await ready;
  return { alerts, close: () => socket.close() };
}

/** `people` strangers to the unit, each making `tries` wrong guesses (a captcha after the first). */
async function guessAsStrangers(people: number, tries: number): Promise<TestPerson[]> {
  const strangers: TestPerson[] = [];
  for (let n = 0; n < people; n++) {
    const stranger = await registerPerson(companion, newPerson({ name: "赵敏" }));
    strangers.push(stranger);
    const desk = await desktopAs(stranger);
    for (let i = 0; i < tries; i++) {
      const solved = i > 0 ? await captcha(desk) : {};
      const answer = await refusal(
        desk.request("unit.enter", { tin, declarationPassword: `wrong${n}x${i}`, ...solved }),
      );
      // The fifth is also the person's own lock.
      expect(answer.code).toBe(i === 4 ? "DECLARATION_LOCKED" : "DECLARATION_PASSWORD_WRONG");
    }
    desk.close();
  }
  return strangers;
}

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe("申报密码: the unit-wide threshold across people", () => {
  it("20 failures by five people close the password path for 120 minutes; grants and offices still enter; managers are told", async () => {
    const repAlerts = await alertsOf(rep);
    const managerAlerts = await alertsOf(manager);
    await guessAsStrangers(5, 4);
    expect(CLOSE_THRESHOLD).toBe(20);

    // A sixth person, with the right password: refused, and neither checked nor counted as theirs.
    const late = await registerPerson(companion, newPerson({ name: "周迟到" }));
    const desk = await desktopAs(late);
    const closed = await refusal(desk.request("unit.enter", { tin, declarationPassword: PASSWORD }));
    expect(closed).toMatchObject({ code: "DECLARATION_UNIT_CLOSED", retryAfter: 7200 });
    expect(closed.message).toMatch(/申报密码验证已暂停至 \d{4}\/\d{1,2}\/\d{1,2} \d{2}:\d{2}:\d{2}/);
    expect(closed.message).toContain("有办税授权的人员、法定代表人和财务负责人可直接进入");
    // Told before the prompt, too.
    expect((await refusal(desk.request("unit.enter", { tin }))).code).toBe("DECLARATION_UNIT_CLOSED");
    const lateId = (await companion.app.core.people.byDocument(late.docType, late.docNumber))?.id as string;
    expect(await companion.app.core.attemptGuards.guardOf(declarationSubject(lateId, tin))).toBeUndefined();
    desk.close();

    // Those with an office or a grant enter as ever.
    for (const [person, via] of [
      [rep, "office"],
      [grantee, "grant"],
      [manager, "grant"],
    ] as const) {
      const entering = await desktopAs(person);
      expect((await entering.request("unit.enter", { tin })).via).toBe(via);
      entering.close();
    }

    // The legal rep and the 管理权限 holder: told at 10 failures, and of the closing.
    await waitFor(() => repAlerts.alerts.length >= 2 && managerAlerts.alerts.length >= 2);
    const expected = [
      { type: "unit-alert", unitTin: tin, unitName: "广东QJ4核定4", failures: 10, windowMinutes: 60 },
      {
        type: "unit-alert",
        unitTin: tin,
        unitName: "广东QJ4核定4",
        failures: 20,
        windowMinutes: 60,
        closedUntil: new Date(clock.now() + 2 * HOUR).toISOString(),
      },
    ];
    expect(repAlerts.alerts).toEqual(expected);
    expect(managerAlerts.alerts).toEqual(expected);
    repAlerts.close();
    managerAlerts.close();
  });

  it("the path reopens after 120 minutes, or at once when the 申报密码 is reset, and the closing survives a restart", async () => {
    await guessAsStrangers(4, 5);
    const late = await registerPerson(companion, newPerson({ name: "周迟到" }));
    companion = await companion.restart();
    clock.advance(2 * HOUR - MINUTE);
    let desk = await desktopAs(late);
    expect((await refusal(desk.request("unit.enter", { tin, declarationPassword: PASSWORD }))).code).toBe(
      "DECLARATION_UNIT_CLOSED",
    );
    desk.close();
    clock.advance(MINUTE);
    desk = await desktopAs(late);
    expect((await desk.request("unit.enter", { tin, declarationPassword: PASSWORD })).via).toBe("password");
    desk.close();

    // Closed again by 20 more failures; the hall's new password reopens it at once.
    await guessAsStrangers(4, 5);
    desk = await desktopAs(late);
    expect((await refusal(desk.request("unit.enter", { tin, declarationPassword: PASSWORD }))).code).toBe(
      "DECLARATION_UNIT_CLOSED",
    );
    await runCli(
      ["hall", "declaration-password", "issue", "--unit", tin, "--password", "Fresh2027pw"],
      storeOf(companion),
    );
    expect((await desk.request("unit.enter", { tin, declarationPassword: "Fresh2027pw" })).via).toBe("password");
    desk.close();
  });

  it("failures older than an hour no longer count", async () => {
    await guessAsStrangers(3, 5);
    clock.advance(HOUR);
    await guessAsStrangers(1, 5);
    const late = await registerPerson(companion, newPerson({ name: "周迟到" }));
    const desk = await desktopAs(late);
    expect((await desk.request("unit.enter", { tin, declarationPassword: PASSWORD })).via).toBe("password");
    desk.close();
  });

  it("200 concurrent tries at the unit: exactly 20 are counted, the rest refused; a right password on the closing try reopens it", async () => {
    const guard = companion.app.core.declarationUnitGuard;
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => guard.reserve(tin)));
    const refused = outcomes.filter(
      (o) => o.status === "rejected" && o.reason instanceof AppError && o.reason.code === "DECLARATION_UNIT_CLOSED",
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(20);
    expect(refused).toHaveLength(180);

    const other = await addUnit(companion);
    const reservations = [];
    for (let i = 0; i < CLOSE_THRESHOLD; i++) reservations.push(await guard.reserve(other.tin));
    await expect(guard.refuseIfClosed(other.tin)).rejects.toMatchObject({ code: "DECLARATION_UNIT_CLOSED" });
    await guard.refund(other.tin, reservations.at(-1)!);
    await expect(guard.refuseIfClosed(other.tin)).resolves.toBeUndefined();
  });
});
