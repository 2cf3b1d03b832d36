/**
 * End to end, in a real Chromium with the built extension: the companion stops while the legal
 * rep's popup, 企业办税权限 (with the 解除授权 dialog open) and the register page are open. The
 * popup shows its offline screen, the pages a banner over disabled controls, the dialog says it
 * waits (取消 still works); the technical detail stays folded under 技术信息. The companion starts
 * again on the same port: everything carries on by itself, without a reload, and is live again.
 * Needs `npm run build:extension` first; `npm test` does it.
 */
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Unit } from "../../shared/api/grants.js";
import {
  explainTimeout,
  type LaunchedBrowser,
  launchBrowser,
  loginInPopup,
  openExtensionPage,
  requireBuiltExtension,
  shot,
  waitForText,
} from "../support/browser.js";
import { api, type RunningCompanion, startCompanion } from "../support/companion.js";
import { grantOverApi } from "../support/grants.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

/** The popup retries after 1, 2, 4, 8 and then every 10 s: back within that, and a little. */
const BACK_WITHIN_MS = 20_000;

let companion: RunningCompanion;
let launched: LaunchedBrowser;
let legalRep: TestPerson;
let clerk: TestPerson;
let unit: Unit;

beforeAll(async () => {
  requireBuiltExtension();
  companion = await startCompanion({ captcha: "known" });
  legalRep = await registerPerson(companion, newPerson({ name: "李建国" }));
  clerk = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  unit = await addUnit(companion, { name: "广东QJ4核定4" });
  await setOfficer(companion, { tin: unit.tin, role: "法定代表人", person: legalRep });
  const made = await grantOverApi(companion, await loginToken(companion, legalRep), unit.tin, clerk);
  if (made.status !== 200) throw new Error(`setup grant failed: ${JSON.stringify(made.body)}`);
  launched = await launchBrowser({ companionUrl: companion.url });
});

afterAll(async () => {
  await launched?.close();
  await companion?.close();
});

/** Whether the element is disabled, by itself or by a disabled fieldset around it. */
const disabled = (page: Page, selector: string) => page.$eval(selector, (el) => el.matches(":disabled"));

/** The element's text as shown (a closed <details> shows only its summary). */
const shownText = (page: Page, selector: string) => page.$eval(selector, (el) => (el as HTMLElement).innerText);

async function gone(page: Page, selector: string, what: string): Promise<void> {
  await page
    .waitForSelector(selector, { hidden: true, timeout: BACK_WITHIN_MS })
    .catch((error) => explainTimeout(page, what, error));
}

describe("the companion goes away and comes back", () => {
  let popup: Page;
  let manage: Page;
  let register: Page;

  it("opens the popup, 企业办税权限 with the 解除授权 dialog, and the register page", async () => {
    popup = await loginInPopup(launched.browser, legalRep);
    await popup.waitForSelector('[data-testid="my-grants"]');
    manage = await openExtensionPage(launched.browser, `manage.html#unit=${unit.tin}`, 1280, 800);
    await waitForText(manage, '[data-testid="grant-row"]', "宋晓明");
    await manage.click('[data-testid="grant-revoke"]');
    await manage.waitForSelector('[data-testid="revoke-dialog"][open]');
    register = await openExtensionPage(launched.browser, "register.html", 1100, 800);
    await register.waitForSelector('[data-testid="agreement-next"]');
    expect(await shownText(register, ".page-bar")).not.toContain("taxauth");
    expect(await shownText(register, ".page-footer")).not.toContain("taxauth");
  });

  it("stops: the popup shows its offline screen, the pages a banner over disabled controls", async () => {
    companion = await companion.restart(async () => {
      // The popup and the manage page hear their event sockets close, and ask at once. (Each page is
      // brought to the front to be looked at: a tab in the background takes no screenshot.)
      await popup.bringToFront();
      await waitForText(popup, '[data-testid="companion-offline"]', "本地服务未运行");
      expect(await popup.$eval(".popup-view", (el) => (el as HTMLElement).hidden)).toBe(true);
      const screen = await shownText(popup, '[data-testid="companion-offline"]');
      expect(screen).toContain("安装后会随电脑自动启动");
      expect(screen).not.toContain("npm start");
      // No native host is registered in this profile: it says how the service is installed.
      await waitForText(popup, '[data-testid="companion-not-installed"]', "taxauth service install");
      await shot(popup, "popup-companion-stopped.png");

      await manage.bringToFront();
      const banner = await waitForText(manage, '[data-testid="offline-banner"]', "本地服务未运行");
      expect(banner).toContain(companion.url);
      expect(await shownText(manage, '[data-testid="offline-banner"]')).not.toContain("npm start");
      // The dialog (above the banner) says it waits; 确定 waits too, 取消 does not.
      await waitForText(manage, '[data-testid="revoke-dialog-error"]', "本地服务未运行");
      expect(await disabled(manage, '[data-testid="revoke-dialog-confirm"]')).toBe(true);
      await shot(manage, "manage-companion-stopped-dialog.png");
      await manage.click('[data-testid="revoke-dialog-cancel"]');
      await manage.waitForFunction(() => !document.querySelector('[data-testid="revoke-dialog"]'));
      // What is shown stays, with its actions disabled.
      expect(await disabled(manage, '[data-testid="grant-revoke"]')).toBe(true);
      expect(await disabled(manage, '[data-testid="tab-add"]')).toBe(true);
      await manage.click('[data-testid="offline-details"] summary');
      const details = await shownText(manage, '[data-testid="offline-details"]');
      expect(details).toContain(companion.url);
      expect(details).toContain("npm start");
      await shot(manage, "manage-companion-stopped.png");

      // The register page makes no calls while it is read: its own watch finds out (every 5 s).
      await register.bringToFront();
      await waitForText(register, '[data-testid="offline-banner"]', "本地服务未运行");
      expect(await disabled(register, '[data-testid="agreement-next"]')).toBe(true);
      expect(await disabled(register, "#agree")).toBe(true);

      // 重新连接 asks again at once: still nothing, one more attempt counted.
      const attempts = () =>
        popup.$eval('[data-testid="offline-details"]', (el) => Number(el.textContent?.match(/第(\d+)次尝试/)?.[1]));
      await popup.bringToFront();
      const before = await attempts();
      await popup.click('[data-testid="companion-reconnect"]');
      await popup.waitForFunction(
        (n) =>
          Number(document.querySelector('[data-testid="offline-details"]')?.textContent?.match(/第(\d+)次尝试/)?.[1]) >
          n,
        { timeout: 5_000 },
        before,
      );
    });
  });

  it("starts again: each page carries on by itself, without a reload, and is live again", async () => {
    await gone(popup, '[data-testid="companion-offline"]', "the popup without its offline screen");
    expect(await popup.$eval(".popup-view", (el) => (el as HTMLElement).hidden)).toBe(false);
    await waitForText(popup, '[data-testid="my-grants"]', "我的办税权限");

    await manage.bringToFront();
    await gone(manage, '[data-testid="offline-banner"]', "the manage page without its banner");
    expect(await disabled(manage, '[data-testid="grant-revoke"]')).toBe(false);

    await register.bringToFront();
    await gone(register, '[data-testid="offline-banner"]', "the register page without its banner");
    expect(await disabled(register, "#agree")).toBe(false);

    // Live again: a revoke made elsewhere reaches the open table.
    const token = await loginToken(companion, legalRep);
    const grants = await api(companion, `/api/units/${unit.tin}/grants`, { token });
    const revoked = await api(companion, `/api/units/${unit.tin}/grants/${grants.body.items[0].id}/revoke`, {
      token,
      body: {},
    });
    expect(revoked.status).toBe(200);
    await manage.bringToFront();
    await waitForText(manage, '[data-testid="grant-status"]', "已解除(单位)");
    await shot(manage, "manage-companion-back.png");
  });
});
