/**
 * End to end, in a real Chromium with the built extension: after `taxauth hall password reset`, the
 * popup's login with the one-time password goes straight to 修改密码 (also when the popup opens
 * again), and only a new password by the registration rules leads on to the logged-in view.
 * Needs `npm run build` first.
 */
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectAccessible,
  fill,
  type LaunchedBrowser,
  launchBrowser,
  openExtensionPage,
  requireBuiltExtension,
  shot,
  textOf,
  waitForText,
} from "../support/browser.js";
import { KNOWN_CAPTCHA_ANSWER, type RunningCompanion, startCompanion } from "../support/companion.js";
import { hallPasswordReset, newPerson, oneTimePasswordOf, registerPerson } from "../support/people.js";

let companion: RunningCompanion;
let launched: LaunchedBrowser;
let browser: Browser;

beforeAll(async () => {
  requireBuiltExtension();
  companion = await startCompanion({ captcha: "known" });
  launched = await launchBrowser({ companionUrl: companion.url });
  browser = launched.browser;
});

afterAll(async () => {
  await launched?.close();
  await companion?.close();
});

describe("popup: 修改密码 after a password reset at the tax hall", () => {
  it("asks for the one-time password and a new one before anything else", async () => {
    const person = await registerPerson(companion, newPerson({ name: "宋晓明" }));
    const oneTime = oneTimePasswordOf(await hallPasswordReset(companion, person));

    const popup: Page = await openExtensionPage(browser, "popup.html", 360, 640);
    await popup.waitForSelector("#account");
    await popup.type("#account", person.loginName);
    await popup.click('[data-testid="soft-keyboard-toggle"]');
    await fill(popup, "#password", oneTime);
    await popup.click('[data-testid="login-submit"]');
    await popup.waitForSelector('[data-testid="change-password"]');
    expect(await popup.$('[data-testid="logged-in"]')).toBeNull();
    // Opened again, the popup still asks first.
    await popup.reload();
    await popup.waitForSelector('[data-testid="change-password"]');

    // The new password follows the registration rules, shown live; the old one must be right.
    await fill(popup, "#oldPassword", "Wrong#Pass1");
    await fill(popup, "#newPassword", "Fresh&Pass42");
    await fill(popup, "#confirmPassword", "Fresh&Pass42");
    await popup.click('[data-testid="change-password-submit"]');
    await waitForText(popup, '[data-testid="change-password"]', "原密码错误");
    await shot(popup, "popup-change-password.png");
    await expectAccessible(popup, "popup: 修改密码 with an error");

    await fill(popup, "#oldPassword", oneTime);
    await popup.waitForSelector('[data-testid="captcha-image"]');
    await fill(popup, "#captchaAnswer", KNOWN_CAPTCHA_ANSWER);
    await popup.click('[data-testid="change-password-submit"]');
    expect(await textOf(popup, '[data-testid="person-name"]')).toBe("**明");
    await popup.close();
  });
});
