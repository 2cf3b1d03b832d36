/**
 * The e2e tests' Firefox (Debian's firefox-esr, or FIREFOX_PATH), headless over WebDriver BiDi,
 * with the built Firefox extension installed as a temporary add-on. Firefox gives an install a
 * random moz-extension://<uuid> origin; the test fixes that uuid (a pref) to open its pages, and
 * the companion knows nothing of it until the browser is paired. Needs `npm run build:extension`.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { FIREFOX_EXTENSION_ID } from "../../shared/extension-identity.js";

const extensionDir = join(resolve(import.meta.dirname, "..", ".."), ".output", "firefox-mv3");
const firefoxPath = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";

export interface LaunchedFirefox {
  browser: Browser;
  /** The install's origin, moz-extension://<uuid>. */
  origin: string;
  /** A new tab on one of the extension's pages, loaded. */
  open(page: string): Promise<Page>;
  close(): Promise<void>;
}

/** Firefox with the extension, pointed at the companion at `companionUrl`. */
export async function launchFirefox(companionUrl: string): Promise<LaunchedFirefox> {
  if (!existsSync(join(extensionDir, "manifest.json"))) {
    throw new Error(`找不到构建好的 Firefox 扩展 ${extensionDir}：请先运行 npm run build:extension`);
  }
  if (!existsSync(firefoxPath))
    throw new Error(`找不到 Firefox ${firefoxPath}：请安装 firefox-esr 或设置 FIREFOX_PATH`);
  const uuid = randomUUID();
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: firefoxPath,
    headless: true,
    // WebDriver BiDi navigates to moz-extension:// pages only with system access.
    args: ["--remote-allow-system-access"],
    extraPrefsFirefox: { "extensions.webextensions.uuids": JSON.stringify({ [FIREFOX_EXTENSION_ID]: uuid }) },
  });
  const origin = `moz-extension://${uuid}`;
  const open = async (page: string) => {
    const tab = await browser.newPage();
    // An extension page never reports its load over BiDi: wait for its document instead.
    await tab.goto(`${origin}/${page}`, { waitUntil: "domcontentloaded", timeout: 3_000 }).catch(() => undefined);
    await tab.waitForFunction(() => document.readyState === "complete" && location.protocol === "moz-extension:");
    return tab;
  };
  try {
    await browser.installExtension(extensionDir);
    const options = await open("options.html");
    await options.evaluate((url) => {
      const { browser: api } = globalThis as unknown as {
        browser: { storage: { local: { set(v: object): Promise<void> } } };
      };
      return api.storage.local.set({ companionUrl: url });
    }, companionUrl);
    await options.close();
  } catch (error) {
    await browser.close();
    throw error;
  }
  return { browser, origin, open, close: () => browser.close().catch(() => {}) };
}
