import { afterEach, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { SPRAY_CAPTCHA_AFTER, SPRAY_LIMIT, SPRAY_WINDOW } from "../../companion/accounts/login-throttle.js";
import { HOUR } from "../../companion/clock.js";
import { DesktopError } from "../../shared/desktop/client.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import {
  api,
  KNOWN_CAPTCHA_ANSWER,
  manualClock,
  type RunningCompanion,
  startCompanion,
  textsTo,
} from "../support/companion.js";
import { connectDesktop, pairDesktopClient } from "../support/desktop.js";
import { loginToken, newIdNumber, newPerson, newPhone, registerPerson, solvedCaptcha } from "../support/people.js";

/**
 * A hostile local process against the password login (SPEC §7): it may lock an account it knows an
 * identifier of — the seed's rule — but the holder is told; it may not spray many accounts; and no
 * answer links a phone to a document number, or tells a registered identifier from an unknown one.
 */

let companion: RunningCompanion;
afterEach(async () => companion?.close());

/**
 * The companion on a clock the test moves. Runs whose answers are compared each start with the
 * throttle's window empty (`fresh`): it would otherwise ask the later runs for a captcha at once.
 */
async function startOnClock() {
  const clock = manualClock();
  companion = await startCompanion({ clock });
  return () => clock.advance(SPRAY_WINDOW);
}

const WRONG = "Wrong#Pass1";
const solved = () => solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER);

/** One login try; `captcha`: send a solved one. What the caller sees of the answer. */
async function tryLogin(account: string, password = WRONG, captcha = true) {
  const res = await api(companion, "/api/login", {
    body: { account, password, ...(captcha ? await solved() : {}) },
  });
  return { status: res.status, body: res.body };
}

/** The browser's event socket of a logged-in person: every event it gets. */
async function eventsOf(token: string): Promise<{ events: Array<Record<string, unknown>>; close(): void }> {
  const events: Array<Record<string, unknown>> = [];
  const socket = new WebSocket(`${companion.url.replace("http", "ws")}/api/events`, { origin: EXTENSION_ORIGIN });
  await new Promise((resolve) => socket.once("open", resolve));
  const ready = new Promise((resolve) => socket.once("message", resolve));
  socket.on("message", (data) => events.push(JSON.parse(String(data))));
  socket.send(JSON.stringify({ type: "auth", token }));
  await ready;
  return { events, close: () => socket.close() };
}

describe("lockout by phone number alone: the holder is told", () => {
  it("texts the bound phone and tells the logged-in popup, once, with the way out", async () => {
    const clock = manualClock();
    companion = await startCompanion({ clock });
    const person = await registerPerson(companion);
    const popup = await eventsOf(await loginToken(companion, person));
    const textsBefore = (await textsTo(companion.dataDir, person.phone)).length;

    for (let i = 1; i <= 4; i++) expect((await tryLogin(person.phone, WRONG, i > 1)).body.code).toBe("LOGIN_FAILED");
    expect((await textsTo(companion.dataDir, person.phone)).length).toBe(textsBefore);
    const fifth = await tryLogin(person.phone);
    expect(fifth.body).toMatchObject({ code: "ACCOUNT_LOCKED", retryAfter: 7200 });

    await vi.waitFor(async () => expect((await textsTo(companion.dataDir, person.phone)).length).toBe(textsBefore + 1));
    const notice = (await textsTo(companion.dataDir, person.phone)).find((text) => text.includes("已被锁定")) as string;
    expect(notice).toContain("2026-11-28 10:00");
    expect(notice).toContain("120分钟之后再试");
    expect(notice).toContain("【忘记密码】");
    expect(notice).toContain("携带有效身份证件到本地办税服务厅进行密码重置");
    expect(notice).not.toMatch(/\d{6}/);
    await vi.waitFor(() =>
      expect(popup.events).toContainEqual({
        type: "account-locked",
        lockedUntil: new Date(clock.now() + 2 * HOUR).toISOString(),
      }),
    );

    // Tries during the lock lock nothing more: no second text, no second event.
    expect((await tryLogin(person.phone)).body.code).toBe("ACCOUNT_LOCKED");
    expect((await tryLogin(person.loginName, WRONG, false)).body.code).toBe("LOGIN_FAILED");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await textsTo(companion.dataDir, person.phone)).length).toBe(textsBefore + 1);
    expect(popup.events.filter((event) => event.type === "account-locked")).toHaveLength(1);
    popup.close();
  });

  it("keeps the seed's rule across identifiers: five wrong in all lock the account, whichever were used", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion);
    for (let i = 0; i < 3; i++) await tryLogin(person.phone, WRONG, i > 0);
    for (let i = 0; i < 2; i++) await tryLogin(person.docNumber, WRONG, i > 0);
    // Locked: the right password gets in through no identifier (each answers by its own counter).
    expect((await tryLogin(person.loginName, person.password, false)).body).toMatchObject({
      code: "LOGIN_FAILED",
      attemptsLeft: 4,
    });
    expect((await tryLogin(person.phone, person.password)).body).toMatchObject({
      code: "LOGIN_FAILED",
      attemptsLeft: 1,
    });
    expect((await tryLogin(person.docNumber, person.password)).body).toMatchObject({
      code: "LOGIN_FAILED",
      attemptsLeft: 2,
    });
    await vi.waitFor(async () =>
      expect((await textsTo(companion.dataDir, person.phone)).some((text) => text.includes("已被锁定"))).toBe(true),
    );
    const stored = await companion.app.core.people.byLoginName(person.loginName);
    expect(
      await companion.app.core.sql.all("SELECT failures FROM login_guards WHERE subject = ?", [`person:${stored?.id}`]),
    ).toEqual([{ failures: 5 }]);
  });

  it("忘记密码 unlocks every identifier at once", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion);
    for (let i = 0; i < 5; i++) await tryLogin(person.phone, WRONG, i > 0);
    const stored = await companion.app.core.people.byLoginName(person.loginName);
    await companion.app.core.passwordReset.unlock(stored?.loginName as string);
    for (const account of [person.phone, person.docNumber, person.loginName])
      expect((await tryLogin(account, person.password, false)).status, account).toBe(200);
  });
});

describe("identifiers are not linked by the answers", () => {
  /** Wrong tries by the phone, then by the document number: `phoneTries` then `docTries` of them. */
  async function phoneThenDocument(phone: string, docNumber: string, phoneTries: number, docTries: number) {
    const answers = [];
    for (let i = 0; i < phoneTries; i++) answers.push(await tryLogin(phone, WRONG, i > 0));
    // The first try by the document number comes without a captcha: would it be asked for?
    for (let i = 0; i < docTries; i++) answers.push(await tryLogin(docNumber, WRONG, i > 0));
    return answers;
  }

  it.each([
    [1, 2],
    [3, 3],
    [5, 2],
  ])(
    "answers %i tries by phone then %i by 证件号码 of one account as for two accounts",
    async (phoneTries, docTries) => {
      const fresh = await startOnClock();
      const one = await registerPerson(companion);
      const [other, another] = [await registerPerson(companion), await registerPerson(companion)];
      const same = await phoneThenDocument(one.phone, one.docNumber, phoneTries, docTries);
      fresh();
      const different = await phoneThenDocument(other.phone, another.docNumber, phoneTries, docTries);
      expect(same).toEqual(different);
      // The first by the document number is that number's own first failure either way.
      expect(same[phoneTries]?.body).toEqual({
        code: "LOGIN_FAILED",
        message: "账号或密码错误",
        captchaRequired: true,
        attemptsLeft: 4,
      });
    },
  );

  it("answers the login name of a phone's account like anyone else's, the lock included", async () => {
    const fresh = await startOnClock();
    const one = await registerPerson(companion);
    const other = await registerPerson(companion);
    const runs = [];
    for (const [phone, loginName] of [
      [one.phone, one.loginName],
      [other.phone, newPerson().loginName],
    ] as const) {
      fresh();
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await tryLogin(phone, WRONG, i > 0));
      answers.push(await tryLogin(loginName, WRONG, false), await tryLogin(loginName, WRONG, false));
      runs.push(answers);
    }
    expect(runs[0]).toEqual(runs[1]);
  });
});

describe("unknown identifiers are answered exactly like known ones", () => {
  let fresh: () => void;
  /** A full run at one identifier: no captcha, a missing captcha, a wrong one, tries to the lock and past it. */
  async function run(account: string) {
    fresh();
    const answers = [await tryLogin(account, WRONG, false), await tryLogin(account, WRONG, false)];
    answers.push({
      ...(await api(companion, "/api/login", {
        body: { account, password: WRONG, captchaId: (await solved()).captchaId, captchaAnswer: "nope" },
      })),
    });
    for (let i = 0; i < 5; i++) answers.push(await tryLogin(account));
    return answers.map(({ status, body }) => ({ status, body }));
  }

  it("for 手机号, 证件号码 and 登录名: same codes, messages, captchas, tries left and locks", async () => {
    fresh = await startOnClock();
    const person = await registerPerson(companion);
    const known = [person.phone, person.docNumber, person.loginName];
    const unknown = [newPhone(), newIdNumber(), "nobody_here"];
    for (let n = 0; n < known.length; n++) {
      const answers = await run(known[n] as string);
      expect(answers, known[n]).toEqual(await run(unknown[n] as string));
      expect(answers.map((answer) => answer.body.code)).toEqual([
        "LOGIN_FAILED",
        "CAPTCHA_REQUIRED",
        "CAPTCHA_INVALID",
        "LOGIN_FAILED",
        "LOGIN_FAILED",
        "LOGIN_FAILED",
        "ACCOUNT_LOCKED",
        "ACCOUNT_LOCKED",
      ]);
    }
  });

  it("counts the ways of writing one 证件号码 as one identifier, known or not", async () => {
    fresh = await startOnClock();
    const person = await registerPerson(companion);
    const spaced = (number: string) => `${number.slice(0, 6)} ${number.slice(6, 14)} ${number.slice(14)}`;
    const unknown = newIdNumber();
    const answers = async (number: string) => {
      fresh();
      return [(await tryLogin(number, WRONG, false)).body, (await tryLogin(spaced(number), WRONG, false)).body];
    };
    const known = await answers(person.docNumber);
    expect(known.map((body) => body.code)).toEqual(["LOGIN_FAILED", "CAPTCHA_REQUIRED"]);
    expect(await answers(unknown)).toEqual(known);
  });

  it("takes about as long: an unknown identifier, and a locked account's other identifier, pay for a hash", async () => {
    fresh = await startOnClock();
    const person = await registerPerson(companion);
    const locked = await registerPerson(companion);
    for (let i = 0; i < 5; i++) await tryLogin(locked.phone, WRONG, i > 0);
    // Timed at the service, without the HTTP round trip around it: the hash is most of what is left.
    const surface = { canChangePassword: true, client: { kind: "browser", name: "Chrome" }, source: "http" } as const;
    const timeOf = async (account: string) => {
      fresh();
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const captcha = i > 0 ? await solved() : {};
        const start = performance.now();
        await companion.app.core.login({ account, password: WRONG, ...captcha }, surface).catch(() => undefined);
        times.push(performance.now() - start);
      }
      return times.sort((a, b) => a - b)[3] as number;
    };
    const known = await timeOf(person.loginName);
    // Without the hash an answer would take well under a hundredth of the time; these bounds leave
    // room for a busy machine and still catch that.
    for (const account of ["nobody_here", locked.loginName]) {
      const other = await timeOf(account);
      expect(other, account).toBeGreaterThan(known * 0.4);
      expect(other, account).toBeLessThan(known * 2.5);
    }
  });
});

describe("a client failing logins for many accounts is throttled", () => {
  const sprayed = (i: number) => `spray_${i}`;

  it("asks every try for a captcha, then refuses new identifiers with retryAfter, for minutes only", async () => {
    const clock = manualClock();
    companion = await startCompanion({ clock });
    const person = await registerPerson(companion);
    for (let i = 0; i < SPRAY_CAPTCHA_AFTER; i++)
      expect((await tryLogin(sprayed(i), WRONG, false)).body.code).toBe("LOGIN_FAILED");
    // From now on a first try at a fresh identifier needs a captcha too.
    const uncaptched = await tryLogin(sprayed(SPRAY_CAPTCHA_AFTER), WRONG, false);
    expect(uncaptched.body).toMatchObject({ code: "CAPTCHA_REQUIRED", captchaRequired: true });
    for (let i = SPRAY_CAPTCHA_AFTER; i < SPRAY_LIMIT; i++) {
      clock.advance(10_000);
      expect((await tryLogin(sprayed(i))).body.code).toBe("LOGIN_FAILED");
    }
    const refused = await tryLogin(sprayed(SPRAY_LIMIT));
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: "RATE_LIMITED", message: "操作过于频繁，请稍后再试" });
    // The first sprayed identifier leaves the window first.
    const wait = (SPRAY_WINDOW - (SPRAY_LIMIT - SPRAY_CAPTCHA_AFTER) * 10_000) / 1000;
    expect(refused.body.retryAfter).toBe(wait);
    // The person's own login waits too, and nothing was counted against their account meanwhile.
    expect((await tryLogin(person.loginName, person.password)).body.code).toBe("RATE_LIMITED");
    const stored = await companion.app.core.people.byLoginName(person.loginName);
    expect(
      await companion.app.core.sql.all("SELECT failures FROM login_guards WHERE subject = ?", [`person:${stored?.id}`]),
    ).toEqual([]);
    // An identifier already failed is still answered as before (its own counter).
    expect((await tryLogin(sprayed(0))).body).toMatchObject({ code: "LOGIN_FAILED", attemptsLeft: 3 });

    clock.advance(wait * 1000);
    expect((await tryLogin(person.loginName, person.password)).status).toBe(200);
  });

  it("counts each paired desktop client apart, and every client together up to a cap", async () => {
    const clock = manualClock();
    companion = await startCompanion({ clock });
    const person = await registerPerson(companion);
    const token = await loginToken(companion, person);
    const { clientToken: first } = await pairDesktopClient(companion, token, "客户端甲");
    const { clientToken: second } = await pairDesktopClient(companion, token, "客户端乙");
    const desk = async (clientToken: string) => {
      const client = await connectDesktop(companion);
      await client.request("hello", { clientToken });
      return client;
    };
    const deskTry = async (client: Awaited<ReturnType<typeof desk>>, account: string) => {
      const { captchaId } = await client.request("captcha", {});
      return client.request("login", { account, password: WRONG, captchaId, captchaAnswer: KNOWN_CAPTCHA_ANSWER }).then(
        () => "accepted",
        (error: unknown) => (error instanceof DesktopError ? error.body.code : String(error)),
      );
    };

    for (let i = 0; i < SPRAY_LIMIT; i++) await tryLogin(sprayed(i));
    expect((await tryLogin("fresh_one")).body.code).toBe("RATE_LIMITED");
    // A paired client is a client of its own; a new connection of the same client is not.
    let deskA = await desk(first);
    for (let i = 0; i < SPRAY_LIMIT; i++) expect(await deskTry(deskA, `desk_${i}`)).toBe("LOGIN_FAILED");
    deskA.close();
    deskA = await desk(first);
    expect(await deskTry(deskA, "desk_more")).toBe("RATE_LIMITED");
    // Twenty identifiers in all: the second paired client meets the common cap.
    const deskB = await desk(second);
    expect(await deskTry(deskB, "desk_b")).toBe("RATE_LIMITED");
    clock.advance(SPRAY_WINDOW);
    expect(await deskTry(deskB, "desk_b")).toBe("LOGIN_FAILED");
    deskA.close();
    deskB.close();
  });
});
