/**
 * End to end, in Debian's firefox-esr with the built Firefox extension: the companion does not know
 * this install's random origin, so the popup shows a pairing code; `taxauth browser approve
 * <code>` (a CLI process on the companion's data dir) trusts it and the popup carries on to the
 * login form by itself; `taxauth browser revoke` and it is back to pairing; then a person logged in
 * to the extension in Chromium (trusted by its ID) types the new code under 信任其他浏览器, and
 * Firefox carries on again. Needs `npm run build`.
 */
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fill, type LaunchedBrowser, launchBrowser, loginInPopup, waitForText } from "../support/browser.js";
import { type RunningCompanion, runCli, startCompanion } from "../support/companion.js";
import { type LaunchedFirefox, launchFirefox } from "../support/firefox.js";
import { registerPerson, type TestPerson } from "../support/people.js";

let companion: RunningCompanion;
let firefox: LaunchedFirefox;
let chromium: LaunchedBrowser;
let person: TestPerson;

beforeAll(async () => {
  companion = await startCompanion({ captcha: "known" });
  person = await registerPerson(companion);
  firefox = await launchFirefox(companion.url);
  chromium = await launchBrowser({ companionUrl: companion.url });
});

afterAll(async () => {
  await firefox?.close();
  await chromium?.close();
  await companion?.close();
});

const cli = (...args: string[]) =>
  runCli(["browser", ...args], { dataDir: companion.dataDir, databaseUrl: companion.databaseUrl });

async function pairingCode(popup: Page): Promise<string> {
  const code = await popup.waitForSelector('[data-testid="browser-pairing-code"]', { timeout: 15_000 });
  return (await code?.evaluate((el) => el.textContent ?? "")) ?? "";
}

it("pairs the Firefox browser by its code (the CLI, then a trusted Chromium popup), and refuses it while revoked", async () => {
  const popup = await firefox.open("popup.html");
  const code = await pairingCode(popup);
  expect(code).toMatch(/^\d{6}$/);

  expect(await cli("approve", code)).toContain(firefox.origin);
  // The popup's watch asks every 5 s: it finds itself trusted and shows the login form.
  await popup.waitForSelector('[data-testid="login-screen"]', { visible: true, timeout: 15_000 });
  expect(await popup.$('[data-testid="browser-pairing"]')).toBeNull();
  // The popup's first check went through (its session and /healthz): no notice on the form.
  expect(await popup.$('[data-testid="login-error"]')).toBeNull();

  await cli("revoke", firefox.origin);
  const again = await pairingCode(popup);
  expect(again).toMatch(/^\d{6}$/);
  expect(await popup.$eval("main.popup-view", (el) => (el as HTMLElement).hidden)).toBe(true);

  // Approved from a trusted browser's popup this time.
  const trusted = await loginInPopup(chromium.browser, person);
  await trusted.click('[data-testid="trust-browser"] summary');
  await fill(trusted, "#browserPairingCode", again);
  await trusted.click('[data-testid="trust-browser"] button[type="submit"]');
  await waitForText(trusted, '[data-testid="trust-browser-done"]', "已信任该浏览器");
  await popup.waitForSelector('[data-testid="login-screen"]', { visible: true, timeout: 15_000 });
}, 120_000);
