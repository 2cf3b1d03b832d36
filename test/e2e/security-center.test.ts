/**
 * End to end, 安全中心 in a real Chromium with the built extension:
 * - a legal rep whose lost phone the hall unbound (`taxauth hall password reset --unbind-phone`)
 *   changes the one-time password in the popup, is told at 重置申报密码 that no phone is bound,
 *   follows 【前往安全中心】, binds a new phone there (SMS code from the outbox, the login password),
 *   and 重置申报密码 then works with a code sent to it;
 * - 修改密码 in 安全中心 (reached from the popup's link), the popup's other session ends, and the new
 *   password logs in; 最近登录 shows the logins in Asia/Shanghai time.
 * Needs `npm run build:extension` and `npm run build:companion` (the hall CLI) first.
 */
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Unit } from "../../shared/api/grants.js";
import { shanghaiDate } from "../../shared/dates.js";
import { maskPhone } from "../../shared/identity/account-rules.js";
import {
  expectAccessible,
  extensionUrl,
  fill,
  type LaunchedBrowser,
  launchBrowser,
  loginInPopup,
  openExtensionPage,
  requireBuiltExtension,
  shot,
  textOf,
  waitForText,
} from "../support/browser.js";
import { api, KNOWN_CAPTCHA_ANSWER, lastSmsCode, type RunningCompanion, startCompanion } from "../support/companion.js";
import {
  hallPasswordReset,
  newPerson,
  newPhone,
  oneTimePasswordOf,
  registerPerson,
  type TestPerson,
} from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

let companion: RunningCompanion;
let launched: LaunchedBrowser;
let browser: Browser;
let unit: Unit;
let rep: TestPerson;

beforeAll(async () => {
  requireBuiltExtension();
  companion = await startCompanion({ captcha: "known" });
  rep = await registerPerson(companion, newPerson({ name: "李建国" }));
  unit = await addUnit(companion, { name: "广东QJ4核定4" });
  await setOfficer(companion, { tin: unit.tin, role: "法定代表人", person: rep });
  await companion.app.core.declarationPasswords.set(unit.tin, "Qj4old2025");
  launched = await launchBrowser({ companionUrl: companion.url });
  browser = launched.browser;
});

afterAll(async () => {
  await launched?.close();
  await companion?.close();
});

/** The extension page `file` opens in a new tab when `click` runs. */
async function tabOpenedBy(file: string, click: () => Promise<void>): Promise<Page> {
  const opened = browser.waitForTarget((target) => target.url().startsWith(extensionUrl(file)));
  await click();
  const page = await (await opened).page();
  if (!page) throw new Error(`${file} did not open`);
  await page.setViewport({ width: 1280, height: 900 });
  return page;
}

describe("安全中心", () => {
  it("binds a phone for an account the hall left without one; 重置申报密码 then texts it", async () => {
    const oneTime = oneTimePasswordOf(await hallPasswordReset(companion, rep, "--unbind-phone"));
    rep = { ...rep, password: "Fresh&Pass42" };

    // The popup asks for a new password first (the hall's one-time one, then the new one twice).
    const popup = await openExtensionPage(browser, "popup.html", 360, 640);
    await popup.waitForSelector("#account");
    await popup.type("#account", rep.loginName);
    await popup.click('[data-testid="soft-keyboard-toggle"]');
    await fill(popup, "#password", oneTime);
    await popup.click('[data-testid="login-submit"]');
    await popup.waitForSelector('[data-testid="change-password"]');
    await fill(popup, "#oldPassword", oneTime);
    await fill(popup, "#newPassword", rep.password);
    await fill(popup, "#confirmPassword", rep.password);
    await popup.click('[data-testid="change-password-submit"]');
    await waitForText(popup, '[data-testid="person-name"]', "**国");
    await popup.close();

    // 重置申报密码 says what the seed says, and offers the way to 安全中心.
    const manage = await openExtensionPage(browser, `manage.html#unit=${encodeURIComponent(unit.tin)}`, 1280, 800);
    await waitForText(manage, '[data-testid="unit-info"]', unit.tin);
    await manage.click('[data-testid="declaration-reset-open"]');
    expect(await textOf(manage, '[data-testid="unit-error"]')).toBe(
      "您账户的手机号码尚未绑定，请先进入安全中心绑定手机",
    );
    await shot(manage, "manage-declaration-no-phone-security.png");
    await expectAccessible(manage, "manage: no phone bound, the way to 安全中心");
    const security = await tabOpenedBy("security.html", () => manage.click('[data-testid="open-security"]'));

    expect(await textOf(security, '[data-testid="security-phone-status"]')).toBe("未绑定");
    await waitForText(security, '[data-testid="security-phone-missing"]', "重置申报密码");
    await expectAccessible(security, "security: no phone bound");
    await security.click('[data-testid="security-phone-open"]');
    const phone = newPhone();
    await fill(security, "#newPhone", phone);
    await security.click('[data-testid="sms-send"]');
    await waitForText(security, '[data-testid="sms-sent-to"]', maskPhone(phone));
    await fill(security, "#smsCode", await lastSmsCode(companion.dataDir, phone));
    // A wrong login password is refused under its field, and a captcha follows.
    await fill(security, "#loginPassword", "Wrong#Pass1");
    await security.click('[data-testid="security-phone-submit"]');
    await waitForText(security, '[data-testid="loginPassword-error"]', "登录密码错误");
    await security.waitForSelector('[data-testid="captcha-image"]');
    await fill(security, "#loginPassword", rep.password);
    await fill(security, "#captchaAnswer", KNOWN_CAPTCHA_ANSWER);
    await shot(security, "security-bind-phone.png");
    await expectAccessible(security, "security: 绑定手机 with a captcha");
    await security.click('[data-testid="security-phone-submit"]');
    await waitForText(security, '[data-testid="security-phone-notice"]', "已绑定");
    expect(await textOf(security, '[data-testid="security-phone-status"]')).toBe(maskPhone(phone));
    expect(await security.$('[data-testid="security-phone-missing"]')).toBeNull();
    expect(await security.$('[data-testid="security-phone-form"]')).toBeNull();

    // Back on the unit: 重置申报密码 opens its form now, and its code goes to the new phone.
    await manage.bringToFront();
    await manage.click('[data-testid="declaration-reset-open"]');
    await manage.waitForSelector('[data-testid="declaration-reset-form"]');
    expect(await textOf(manage, '[data-testid="declaration-reset-form"] .form-note')).toContain(maskPhone(phone));
    await fill(manage, "#newPassword", "Qj4new2027");
    await fill(manage, "#confirmPassword", "Qj4new2027");
    await manage.click('[data-testid="sms-send"]');
    await waitForText(manage, '[data-testid="sms-sent-to"]', maskPhone(phone));
    await fill(manage, "#smsCode", await lastSmsCode(companion.dataDir, phone));
    await manage.click('[data-testid="declaration-reset-save"]');
    await waitForText(manage, '[data-testid="declaration-reset-done"]', "申报密码重置成功");
    expect(await companion.app.core.declarationPasswords.matches(unit.tin, "Qj4new2027")).toBe(true);
    await manage.close();
    await security.close();
  });

  it("修改密码 from the popup's link: other sessions end, the new password logs in; 最近登录 in Shanghai time", async () => {
    const popup = await loginInPopup(browser, rep);
    // Another session of the person (another browser), ended by the change.
    const elsewhere = await api(companion, "/api/login", { body: { account: rep.loginName, password: rep.password } });
    const security = await tabOpenedBy("security.html", () => popup.click('[data-testid="open-security"]'));

    const current = '[data-testid="security-login"][data-state="current"]';
    const mine = await textOf(security, current);
    expect(mine).toContain("本次登录");
    expect(mine).toContain("密码登录");
    expect(mine).toContain("浏览器扩展 · Chrome");
    expect(await textOf(security, `${current} [data-testid="security-login-at"]`)).toContain(shanghaiDate(Date.now()));
    // The newest other login is the one just made elsewhere, still live.
    expect(await textOf(security, '[data-testid="security-login"]')).toContain("在线");
    await waitForText(security, '[data-testid="security-previous-login"]', "上次登录");

    await security.click('[data-testid="security-password-open"]');
    await fill(security, "#oldPassword", rep.password);
    await fill(security, "#newPassword", "Second&Pass7");
    await fill(security, "#confirmPassword", "Second&Pass7");
    await security.click('[data-testid="change-password-submit"]');
    await waitForText(security, '[data-testid="security-password-notice"]', "密码已修改");
    rep = { ...rep, password: "Second&Pass7" };
    expect((await api(companion, "/api/session", { token: elsewhere.body.token })).status).toBe(401);
    // The list follows: the other session has ended, this one stays.
    await security.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid="security-login"]')].some(
          (row) => row.getAttribute("data-state") === "ended",
        ) && document.querySelectorAll('[data-testid="security-login"][data-state="live"]').length === 0,
    );
    await shot(security, "security-center.png");
    await expectAccessible(security, "security: password changed, 最近登录");
    // The page's session stays: it still reads the person's logins.
    expect(await textOf(security, '[data-testid="security-logins-more-count"]')).toMatch(/共 \d+ 条/);
    await security.close();
    await popup.close();

    const again = await loginInPopup(browser, rep);
    expect(await textOf(again, '[data-testid="person-login-name"]')).toBe(rep.loginName);
    await again.close();
  });
});
