/**
 * The e2e tests' Chromium: the built extension (a copy of it), in Chinese, headless, and the page
 * helpers they share. Needs `npm run build:extension` first.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import type axe from "axe-core";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { expect } from "vitest";
import { EXTENSION_ID } from "../../shared/extension-identity.js";
import { maskPersonName } from "../../shared/identity/account-rules.js";
import type { TestPerson } from "./people.js";

const repoRoot = resolve(import.meta.dirname, "..", "..");
const extensionDir = join(repoRoot, ".output", "chrome-mv3");
export const shotsDir = join(repoRoot, "test-results", "e2e");
export const extensionUrl = (page: string) => `chrome-extension://${EXTENSION_ID}/${page}`;

/** Fails with the build hint unless the extension has been built. */
export function requireBuiltExtension(): void {
  if (!existsSync(join(extensionDir, "manifest.json"))) {
    throw new Error(`找不到构建好的扩展 ${extensionDir}：请先运行 npm run build:extension`);
  }
}

export interface LaunchedBrowser {
  browser: Browser;
  userDataDir: string;
  /** Where downloads land (when launched with `downloads: true`). */
  downloadsDir: string;
  /** Closes the browser and removes its profile and extension copy. */
  close(): Promise<void>;
}

/**
 * One Chromium profile with a copy of the built extension, in Chinese; with `companionUrl`, the
 * extension is pointed at that companion. `args`: more Chromium switches (e.g. a fake camera).
 */
export async function launchBrowser(
  options: { companionUrl?: string; downloads?: boolean; args?: string[] } = {},
): Promise<LaunchedBrowser> {
  requireBuiltExtension();
  mkdirSync(shotsDir, { recursive: true });
  // Load a copy, so a `wxt build` running meanwhile (it empties .output first) cannot pull files away.
  const loadedExtensionDir = mkdtempSync(join(tmpdir(), "taxauth-e2e-extension-"));
  cpSync(extensionDir, loadedExtensionDir, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpdir(), "taxauth-e2e-chromium-"));
  const downloadsDir = join(userDataDir, "downloads");
  const removeDirs = () => {
    for (const dir of [userDataDir, loadedExtensionDir]) rmSync(dir, { recursive: true, force: true });
  };
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
      pipe: true,
      enableExtensions: [loadedExtensionDir],
      userDataDir,
      ...(options.downloads ? { downloadBehavior: { policy: "allow", downloadPath: downloadsDir } } : {}),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        ...(options.args ?? []),
      ],
      // Chromium on Linux takes its UI language (and so the extension's locale) from LANGUAGE; LANG
      // must name an installed locale (C.UTF-8 always is), or file names fall back to ASCII.
      env: { ...process.env, LANGUAGE: "zh_CN", LANG: "C.UTF-8" },
    });
  } catch (error) {
    removeDirs();
    throw error;
  }
  const launched: LaunchedBrowser = {
    browser,
    userDataDir,
    downloadsDir,
    async close() {
      await browser.close().catch(() => {});
      removeDirs();
    },
  };
  if (options.companionUrl) {
    const page = await browser.newPage();
    await page.goto(extensionUrl("options.html"));
    await page.evaluate((url) => {
      const { chrome } = globalThis as unknown as { chrome: { storage: { local: { set(v: object): Promise<void> } } } };
      return chrome.storage.local.set({ companionUrl: url });
    }, options.companionUrl);
    await page.close();
  }
  return launched;
}

/** A new tab of the given size on one of the extension's pages (`popup.html`, `manage.html#…`). */
export async function openExtensionPage(browser: Browser, page: string, width: number, height: number): Promise<Page> {
  const tab = await browser.newPage();
  await tab.setViewport({ width, height });
  await tab.goto(extensionUrl(page));
  return tab;
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(shotsDir, name), fullPage: true });

/** On a timeout, say what the page showed instead, and keep a screenshot of it (named after the test file). */
export async function explainTimeout(page: Page, what: string, error: unknown): Promise<never> {
  await page.bringToFront().catch(() => {}); // a tab in the background takes no screenshot
  const file = basename(expect.getState().testPath ?? "e2e", ".test.ts");
  const name = `failure-${file}-${what.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")}.png`;
  await page.screenshot({ path: join(shotsDir, name), fullPage: true }).catch(() => {});
  const body = await page.evaluate(() => document.body.textContent).catch(() => "");
  throw new Error(
    `${what}: ${error instanceof Error ? error.message : String(error)}\npage text:\n${body}\n(screenshot ${name})`,
  );
}

/** axe-core's browser build, put into a page the first time it is checked. */
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core on what `page` shows now and fails, with one line per rule and element (rule,
 * impact, target, what is wrong), on any serious or critical violation. `what` names the page state.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  // Evaluated over the DevTools protocol, so the extension pages' CSP does not stand in the way.
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const { axe: engine } = globalThis as unknown as { axe: typeof axe };
    const results = await engine.run(document, { resultTypes: ["violations"] });
    return results.violations.map((violation) => ({
      rule: violation.id,
      impact: violation.impact ?? "minor",
      help: violation.help,
      nodes: violation.nodes.map((node) => ({ target: node.target.join(" "), summary: node.failureSummary ?? "" })),
    }));
  });
  const failing = violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  if (failing.length === 0) return;
  const lines = failing.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `- ${violation.rule} (${violation.impact}) ${node.target}: ${violation.help}\n    ${node.summary.replaceAll("\n", "\n    ")}`,
    ),
  );
  throw new Error(`${what}: accessibility violations (axe-core)\n${lines.join("\n")}`);
}

/** The text of `selector`, once it is there. */
export async function textOf(page: Page, selector: string): Promise<string> {
  await page.waitForSelector(selector, { timeout: 15_000 }).catch((error) => explainTimeout(page, selector, error));
  return page.$eval(selector, (el) => el.textContent ?? "");
}

/** Waits until an element matching `selector` contains `needle`; returns that element's text. */
export async function waitForText(page: Page, selector: string, needle: string, timeout = 15_000): Promise<string> {
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

/** Replaces an input's value by typing, as a person would. */
export async function fill(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForSelector(selector);
  await page.$eval(selector, (el) => (el as HTMLInputElement).select());
  await page.keyboard.press("Backspace");
  if (text) await page.type(selector, text);
}

const key = (char: string) => `[data-testid="soft-key"][data-key=${JSON.stringify(char)}]`;

/** Types on the popup's soft keyboard as a person would: shift for capitals, the symbol panel for symbols. */
export async function typeOnSoftKeyboard(page: Page, text: string): Promise<void> {
  for (const char of text) {
    const letter = /[A-Za-z]/.test(char);
    const digit = /\d/.test(char);
    const symbolPanel = (await page.$(`${key("q")}, ${key("Q")}`)) === null;
    if ((letter && symbolPanel) || (!letter && !digit && !symbolPanel))
      await page.click('[data-testid="soft-key-symbols"]');
    if (letter) {
      const shifted = (await page.$(key("Q"))) !== null;
      if (shifted !== /[A-Z]/.test(char)) await page.click('[data-testid="soft-key-shift"]');
    }
    await page.click(key(char));
  }
}

/**
 * 退出登录 in a popup showing a session. The popup may still be settling (its first screen follows
 * a hint, then the session check): a click on a button it replaced meanwhile is clicked again.
 */
async function logOutInPopup(popup: Page): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    await popup.click('[data-testid="logout"]').catch(() => undefined);
    if (
      await popup.waitForSelector("#account", { timeout: 5_000 }).then(
        () => true,
        () => false,
      )
    )
      return;
  }
  const text = await popup.evaluate(() => document.body.textContent);
  throw new Error(`the popup did not log out; it shows:\n${text}`);
}

/**
 * Logs in from the popup (opened as a tab of popup size), soft keyboard switched off; a session
 * already open in the profile is logged out first. Resolves once the popup shows the person.
 */
export async function loginInPopup(browser: Browser, person: TestPerson): Promise<Page> {
  const popup = await openExtensionPage(browser, "popup.html", 360, 640);
  await logInOnPopup(popup, person);
  return popup;
}

/** The same, in a popup already open. */
export async function logInOnPopup(popup: Page, person: TestPerson): Promise<void> {
  const loggedIn = await popup
    .waitForSelector('#account, [data-testid="logout"]', { timeout: 15_000 })
    .then((el) => el?.evaluate((node) => node.id !== "account"));
  if (loggedIn) await logOutInPopup(popup);
  await popup.type("#account", person.loginName);
  await popup.click('[data-testid="soft-keyboard-toggle"]');
  await fill(popup, "#password", person.password);
  await popup.click('[data-testid="login-submit"]');
  await waitForText(popup, '[data-testid="person-name"]', maskPersonName(person.name));
}

/** The register page's account step (登录名, 密码, 手机号 and the SMS code from the outbox), submitted. */
export async function fillAccountStep(page: Page, person: TestPerson, smsCode: (phone: string) => Promise<string>) {
  await fill(page, "#loginName", person.loginName);
  await fill(page, "#password", person.password);
  await fill(page, "#confirmPassword", person.password);
  await fill(page, "#phone", person.phone);
  await page.click('[data-testid="sms-send"]');
  await waitForText(page, '[data-testid="sms-sent-to"]', person.phone.slice(-4));
  await fill(page, "#smsCode", await smsCode(person.phone));
  await page.click('[data-testid="register-submit"]');
}
