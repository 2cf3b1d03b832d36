/**
 * End to end, desktop pairing (a client without an Origin is served only once paired) in a real
 * Chromium with the built extension: a desktop client (the typed DesktopClient on a real socket, no
 * Origin) asks to pair; the logged-in person's popup shows the request with the same code; 允许
 * gives the client its own token and lists it under 已配对的客户端; 解除配对 ends its connection at
 * once. 拒绝 tells the client too, and a request whose client went away leaves the popup.
 * Needs `npm run build:extension` first; `npm test` does it.
 */
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DesktopClient, DesktopError } from "../../shared/desktop/client.js";
import {
  expectAccessible,
  explainTimeout,
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

/** The popup asks for pending requests every 2 s: a request shows within one round and a bit. */
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

/** The pending request card showing `code`, once the popup's poll has fetched it. */
async function requestCard(code: string): Promise<string> {
  const selector = `[data-testid="pairing-request"]`;
  await popup
    .waitForFunction(
      (sel, wanted) =>
        [...document.querySelectorAll(sel)].some(
          (el) => el.querySelector('[data-testid="pairing-code"]')?.textContent === wanted,
        ),
      { timeout: SHOWN_WITHIN_MS },
      selector,
      code,
    )
    .catch((error) => explainTimeout(popup, `pairing request ${code}`, error));
  return popup.$$eval(
    selector,
    (els, wanted) =>
      els
        .find((el) => el.querySelector('[data-testid="pairing-code"]')?.textContent === wanted)
        ?.getAttribute("data-request-id") ?? "",
    code,
  );
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

  it("a desktop client asks to pair: the popup shows its name, the same code and the time", async () => {
    const client = await desktop();
    approved = client.nextEvent("pair.approved");
    const asked = Date.now();
    ({ code } = await client.request("pair.request", { clientName: CLIENT_NAME }));
    expect(code).toMatch(/^\d{6}$/);

    const id = await requestCard(code);
    const card = `[data-testid="pairing-request"][data-request-id="${id}"]`;
    const text = (testId: string) => popup.$eval(`${card} [data-testid="${testId}"]`, (el) => el.textContent ?? "");
    expect(Date.now() - asked).toBeLessThan(SHOWN_WITHIN_MS);
    expect(await text("pairing-client-name")).toBe(CLIENT_NAME);
    expect(await text("pairing-code")).toBe(code);
    expect(await text("pairing-time")).toMatch(/^请求时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(await text("pairing-warning")).toBe("请核对桌面客户端上显示的配对码，若不是您本人发起请拒绝");
    expect(await waitForText(popup, '[data-testid="pairing-requests"]', "桌面客户端配对请求")).toContain("允许");
    expect(await popup.$eval(`${card} [data-testid="pairing-approve"]`, (el) => el.textContent)).toBe("允许");
    expect(await popup.$eval(`${card} [data-testid="pairing-deny"]`, (el) => el.textContent)).toBe("拒绝");
    await shot(popup, "popup-pairing.png");
    await expectAccessible(popup, "popup: a pairing request");
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
    expect(await connected.request("hello", { clientToken })).toEqual({ clientName: CLIENT_NAME, person: null });
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
    const id = await requestCard(code);
    await popup.click(`[data-testid="pairing-request"][data-request-id="${id}"] [data-testid="pairing-deny"]`);
    expect(await within(denied, 5_000, "pair.denied")).toEqual({ event: "pair.denied" });
    await waitForText(popup, '[data-testid="pairing-notice"]', "已拒绝“来历不明的程序”的配对请求");
    expect(await popup.$(`[data-testid="pairing-request"][data-request-id="${id}"]`)).toBeNull();
    expect(await popup.$('[data-testid="paired-client"]')).toBeNull();
    expect(await refusalCode(client.request("captcha", {}))).toBe("NOT_PAIRED");
  });

  it("a request whose client disconnected leaves the popup by the next poll", async () => {
    const client = await desktop();
    const { code } = await client.request("pair.request", { clientName: "已关闭的客户端" });
    const id = await requestCard(code);
    client.close();
    await popup
      .waitForFunction(
        (requestId) => !document.querySelector(`[data-testid="pairing-request"][data-request-id="${requestId}"]`),
        { timeout: SHOWN_WITHIN_MS },
        id,
      )
      .catch((error) => explainTimeout(popup, "withdrawn request leaves", error));
  });
});
