/**
 * End to end, desktop pairing (a client without an Origin is served only once paired) in a real
 * Chromium with the built extension: a desktop client (the typed DesktopClient on a real socket, no
 * Origin) asks to pair; the logged-in person's popup says how many clients ask — never their names
 * or codes — and the person types the code their client shows; the popup then names that client;
 * 允许 gives it its own token and lists it under 已配对的客户端; 解除配对 ends its connection at
 * once. 拒绝 tells the client too; a wrong code is refused; a request whose client went away
 * leaves the popup. Needs `npm run build:extension` first; `npm test` does it.
 */
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DesktopClient, DesktopError } from "../../shared/desktop/client.js";
import { DESKTOP_PROTOCOL_VERSION } from "../../shared/desktop/protocol.js";
import {
  expectAccessible,
  explainTimeout,
  fill,
  type LaunchedBrowser,
  launchBrowser,
  loginInPopup,
  requireBuiltExtension,
  shot,
  waitForText,
} from "../support/browser.js";
import { type RunningCompanion, startCompanion } from "../support/companion.js";
import { connectDesktop } from "../support/desktop.js";
import { newPerson, registerPerson, type TestPerson } from "../support/people.js";

/** The popup asks how many requests wait every 2 s: a request shows within one round and a bit. */
const SHOWN_WITHIN_MS = 5_000;
const CLIENT_NAME = "扣缴客户端（财务室）";

let companion: RunningCompanion;
let launched: LaunchedBrowser;
let browser: Browser;
let clerk: TestPerson;
let popup: Page;
const clients: DesktopClient[] = [];

beforeAll(async () => {
  requireBuiltExtension();
  companion = await startCompanion({ captcha: "known" });
  clerk = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  launched = await launchBrowser({ companionUrl: companion.url });
  browser = launched.browser;
});

afterAll(async () => {
  for (const client of clients) client.close();
  await launched?.close();
  await companion?.close();
});

/** A promise that must settle within `ms`, else it fails saying what was awaited. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)),
  ]);
}

const refusalCode = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (error: unknown) => (error instanceof DesktopError ? error.code : String(error)),
  );

/** A new desktop connection (closed after the tests). */
async function desktop(): Promise<DesktopClient> {
  const client = await connectDesktop(companion);
  clients.push(client);
  return client;
}

/** Waits until the popup says `n` clients ask to pair. */
async function pendingShown(n: number): Promise<void> {
  await waitForText(popup, '[data-testid="pairing-pending"]', `有 ${n} 个桌面客户端请求配对`, SHOWN_WITHIN_MS);
}

/** Types `code` in the popup's 配对码 field and chooses 下一步, as the person does. */
async function typeCode(code: string): Promise<void> {
  await fill(popup, "#pairingCode", code);
  await popup.click('[data-testid="pairing-find"]');
}

/** The client named once the person typed its code. */
async function matchShown(clientName: string): Promise<void> {
  await waitForText(popup, '[data-testid="pairing-client-name"]', clientName);
}

describe("desktop pairing, approved in the popup", () => {
  let approved: Promise<{ clientToken: string }>;
  let code: string;
  let clientToken: string;
  let connected: DesktopClient;

  it("the logged-in popup has no pairing requests and no paired clients yet", async () => {
    popup = await loginInPopup(browser, clerk);
    await waitForText(popup, '[data-testid="paired-clients"]', "已配对的客户端");
    await popup.waitForSelector('[data-testid="paired-clients-empty"]');
    expect(await popup.$('[data-testid="pairing-requests"]')).toBeNull();
  });

  it("a desktop client asks to pair: the popup says how many ask, and shows neither their names nor their codes", async () => {
    const client = await desktop();
    approved = client.nextEvent("pair.approved");
    const asked = Date.now();
    ({ code } = await client.request("pair.request", { clientName: CLIENT_NAME }));
    expect(code).toMatch(/^\d{6}$/);

    await pendingShown(1);
    expect(Date.now() - asked).toBeLessThan(SHOWN_WITHIN_MS);
    const section = await popup.$eval('[data-testid="pairing-requests"]', (el) => el.textContent ?? "");
    expect(section).toContain("桌面客户端配对请求");
    expect(section).toContain("请输入您的桌面客户端上显示的配对码");
    expect(section).not.toContain(code);
    expect(section).not.toContain(CLIENT_NAME);
    expect(await popup.$('[data-testid="pairing-approve"]')).toBeNull();
    await shot(popup, "popup-pairing.png");
    await expectAccessible(popup, "popup: a pairing request, its code to type");
  });

  it("a code in another shape is refused under the field; a wrong one says so and shows no client", async () => {
    await typeCode("12345");
    await waitForText(popup, "#pairingCode-error", "请输入桌面客户端上显示的6位配对码");
    const wrong = code === "000000" ? "000001" : "000000";
    await typeCode(wrong);
    await waitForText(popup, '[data-testid="pairing-error"]', "配对码不正确或配对请求已过期");
    expect(await popup.$('[data-testid="pairing-request"]')).toBeNull();
  });

  it("the code the client shows names it, with the time: 允许 or 拒绝", async () => {
    await typeCode(code);
    await matchShown(CLIENT_NAME);
    const text = (testId: string) => popup.$eval(`[data-testid="${testId}"]`, (el) => el.textContent ?? "");
    expect(await text("pairing-time")).toMatch(/^请求时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(await text("pairing-warning")).toBe("请确认这是您本人正在配对的客户端，若不是请拒绝");
    expect(await text("pairing-approve")).toBe("允许");
    expect(await text("pairing-deny")).toBe("拒绝");
    await shot(popup, "popup-pairing-match.png");
    await expectAccessible(popup, "popup: the client the typed code names");
  });

  it("允许 delivers pair.approved with the client's own token; it is listed under 已配对的客户端", async () => {
    await popup.click('[data-testid="pairing-approve"]');
    ({ clientToken } = await within(approved, 5_000, "pair.approved"));
    expect(clientToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await waitForText(popup, '[data-testid="pairing-notice"]', `已允许“${CLIENT_NAME}”配对`);
    expect(await popup.$('[data-testid="pairing-request"]')).toBeNull();
    const row = await waitForText(popup, '[data-testid="paired-client"]', CLIENT_NAME);
    expect(row).toMatch(/配对时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    expect(row).toContain("最近连接：尚未连接");

    // The token opens later connections.
    connected = await desktop();
    expect(await connected.request("hello", { clientToken })).toEqual({
      clientName: CLIENT_NAME,
      person: null,
      protocolVersion: DESKTOP_PROTOCOL_VERSION,
    });
    await connected.request("login", { account: clerk.loginName, password: clerk.password });
    await shot(popup, "popup-paired.png");
    await expectAccessible(popup, "popup: a paired client");
  });

  it("解除配对 asks first, then ends the client's open connection at once with client.revoked", async () => {
    const revoked = connected.nextEvent("client.revoked");
    await popup.click('[data-testid="paired-client-revoke"]');
    const question = await waitForText(popup, '[data-testid="paired-client-confirm-box"]', "确定解除");
    expect(question).toContain(`确定解除与“${CLIENT_NAME}”的配对吗`);
    await expectAccessible(popup, "popup: 解除配对 asked to confirm");
    // 取消 leaves it paired.
    await popup.click('[data-testid="paired-client-cancel"]');
    await popup.waitForFunction(() => !document.querySelector('[data-testid="paired-client-confirm-box"]'));
    expect(await popup.$('[data-testid="paired-client"]')).not.toBeNull();

    await popup.click('[data-testid="paired-client-revoke"]');
    const clickedAt = Date.now();
    await popup.click('[data-testid="paired-client-confirm"]');
    expect(await within(revoked, 2_000, "client.revoked")).toEqual({ event: "client.revoked" });
    expect(Date.now() - clickedAt).toBeLessThan(2_000);
    await popup.waitForSelector('[data-testid="paired-clients-empty"]');

    // The token is dead: a new connection is an unpaired one.
    const again = await desktop();
    expect(await refusalCode(again.request("hello", { clientToken }))).toBe("NOT_PAIRED");
  });
});

describe("desktop pairing, denied or withdrawn", () => {
  it("拒绝 delivers pair.denied; the client stays unpaired and is not listed", async () => {
    const client = await desktop();
    const denied = client.nextEvent("pair.denied");
    const { code } = await client.request("pair.request", { clientName: "来历不明的程序" });
    await pendingShown(1);
    await typeCode(code);
    await matchShown("来历不明的程序");
    await popup.click('[data-testid="pairing-deny"]');
    expect(await within(denied, 5_000, "pair.denied")).toEqual({ event: "pair.denied" });
    await waitForText(popup, '[data-testid="pairing-notice"]', "已拒绝“来历不明的程序”的配对请求");
    expect(await popup.$('[data-testid="pairing-request"]')).toBeNull();
    expect(await popup.$('[data-testid="paired-client"]')).toBeNull();
    expect(await refusalCode(client.request("captcha", {}))).toBe("NOT_PAIRED");
  });

  it("a client that goes away after its code was typed: 允许 says the request is gone, back at the code", async () => {
    const client = await desktop();
    const { code } = await client.request("pair.request", { clientName: "已关闭的客户端" });
    await pendingShown(1);
    await typeCode(code);
    await matchShown("已关闭的客户端");
    client.close();
    await popup.click('[data-testid="pairing-approve"]');
    await waitForText(popup, '[data-testid="pairing-error"]', "配对码不正确或配对请求已过期");
    expect(await popup.$('[data-testid="pairing-request"]')).toBeNull();
  });

  it("a request whose client disconnected leaves the popup by the next poll", async () => {
    const client = await desktop();
    await client.request("pair.request", { clientName: "已关闭的客户端" });
    await pendingShown(1);
    client.close();
    await popup
      .waitForFunction(() => !document.querySelector('[data-testid="pairing-pending"]'), { timeout: SHOWN_WITHIN_MS })
      .catch((error) => explainTimeout(popup, "withdrawn request leaves", error));
  });
});
