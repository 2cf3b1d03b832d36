/**
 * End to end, desktop pairing (SPEC §7) in a real Chromium with the built extension: a desktop
 * client (the typed DesktopClient on a real socket, no Origin) asks to pair; the logged-in person's
 * popup shows the request with the same code; 允许 gives the client its own token and lists it under
 * 已配对的客户端; 解除配对 ends its connection at once. 拒绝 tells the client too, and a request whose
 * client went away leaves the popup.
 * Needs `npm run build:extension` first; `npm test` does it.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DesktopClient, DesktopError } from "../../shared/desktop/client.js";
import { EXTENSION_ID } from "../../shared/extension-identity.js";
import { maskPersonName } from "../../shared/identity/account-rules.js";
import { type RunningCompanion, startCompanion } from "../support/companion.js";
import { connectDesktop } from "../support/desktop.js";
import { newPerson, registerPerson, type TestPerson } from "../support/people.js";

const repoRoot = resolve(import.meta.dirname, "..", "..");
const extensionDir = join(repoRoot, ".output", "chrome-mv3");
const shotsDir = join(repoRoot, "test-results", "e2e");
const extensionUrl = (page: string) => `chrome-extension://${EXTENSION_ID}/${page}`;
/** The popup asks for pending requests every 2 s: a request shows within one round and a bit. */
const SHOWN_WITHIN_MS = 5_000;
const CLIENT_NAME = "扣缴客户端（财务室）";

let companion: RunningCompanion;
let browser: Browser;
let userDataDir: string;
let loadedExtensionDir: string;
let clerk: TestPerson;
let popup: Page;
const clients: DesktopClient[] = [];

beforeAll(async () => {
  if (!existsSync(join(extensionDir, "manifest.json"))) {
    throw new Error(`找不到构建好的扩展 ${extensionDir}：请先运行 npm run build:extension`);
  }
  mkdirSync(shotsDir, { recursive: true });
  companion = await startCompanion({ captcha: "known" });
  clerk = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  // Load a copy, so a `wxt build` running meanwhile (it empties .output first) cannot pull files away.
  loadedExtensionDir = mkdtempSync(join(tmpdir(), "taxauth-e2e-extension-"));
  cpSync(extensionDir, loadedExtensionDir, { recursive: true });
  userDataDir = mkdtempSync(join(tmpdir(), "taxauth-e2e-chromium-"));
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    pipe: true,
    enableExtensions: [loadedExtensionDir],
    userDataDir,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    // Chromium on Linux takes its UI language (and so the extension's locale) from the environment.
    env: { ...process.env, LANGUAGE: "zh_CN", LANG: "zh_CN.UTF-8" },
  });
  const options = await browser.newPage();
  await options.goto(extensionUrl("options.html"));
  await options.evaluate((url) => {
    const { chrome } = globalThis as unknown as { chrome: { storage: { local: { set(v: object): Promise<void> } } } };
    return chrome.storage.local.set({ companionUrl: url });
  }, companion.url);
  await options.close();
});

afterAll(async () => {
  for (const client of clients) client.close();
  await browser?.close();
  await companion?.close();
  for (const dir of [userDataDir, loadedExtensionDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(shotsDir, name), fullPage: true });

/** On a timeout, say what the page showed instead, and keep a screenshot of it. */
async function explainTimeout(page: Page, what: string, error: unknown): Promise<never> {
  const name = `failure-pairing-${what.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")}.png`;
  await page.screenshot({ path: join(shotsDir, name), fullPage: true }).catch(() => {});
  const body = await page.evaluate(() => document.body.textContent).catch(() => "");
  throw new Error(
    `${what}: ${error instanceof Error ? error.message : String(error)}\npage text:\n${body}\n(screenshot ${name})`,
  );
}

async function waitForText(page: Page, selector: string, needle: string, timeout = 15_000): Promise<string> {
  await page
    .waitForFunction(
      (sel, text) => [...document.querySelectorAll(sel)].some((el) => el.textContent?.includes(text)),
      { timeout },
      selector,
      needle,
    )
    .catch((error) => explainTimeout(page, `${selector} ${needle}`, error));
  return page.$$eval(
    selector,
    (els, text) => els.find((el) => el.textContent?.includes(text))?.textContent ?? "",
    needle,
  );
}

async function fill(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForSelector(selector);
  await page.$eval(selector, (el) => (el as HTMLInputElement).select());
  await page.keyboard.press("Backspace");
  await page.type(selector, text);
}

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
    popup = await browser.newPage();
    await popup.setViewport({ width: 360, height: 640 });
    await popup.goto(extensionUrl("popup.html"));
    await popup.waitForSelector("#account");
    await popup.type("#account", clerk.loginName);
    await popup.click('[data-testid="soft-keyboard-toggle"]');
    await fill(popup, "#password", clerk.password);
    await popup.click('[data-testid="login-submit"]');
    await waitForText(popup, '[data-testid="person-name"]', maskPersonName(clerk.name));
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
  });

  it("解除配对 asks first, then ends the client's open connection at once with client.revoked", async () => {
    const revoked = connected.nextEvent("client.revoked");
    await popup.click('[data-testid="paired-client-revoke"]');
    const question = await waitForText(popup, '[data-testid="paired-client-confirm-box"]', "确定解除");
    expect(question).toContain(`确定解除与“${CLIENT_NAME}”的配对吗`);
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
