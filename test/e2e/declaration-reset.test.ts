/**
 * End to end, 重置申报密码 (seed 二(三)) in a real Chromium with the built extension, and the
 * reference desktop client entering the unit with the new password:
 * - a 管理权限 holder is not offered it; a finance manager without a bound phone gets the seed's
 *   exact sentence and no SMS;
 * - ten wrong 申报密码 tries across two people lock them and alert the legal rep (申报密码异常);
 * - the legal rep resets it on the manage page (new password, confirmation, SMS code from the outbox,
 *   【保存】) and sees 修改完成; the session opened with the old password ends at once;
 * - `taxauth-desk enter`, logged in as a person without a grant and locked before, enters with the
 *   new password.
 * Needs `npm run build:extension` and `npm run build:companion` (taxauth-desk) first; `npm test` does both.
 */

import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOutbox } from "../../companion/sms/gateway.js";
import type { Unit } from "../../shared/api/grants.js";
import { type DesktopClient, DesktopError } from "../../shared/desktop/client.js";
import { ERROR_MESSAGES } from "../../shared/errors.js";
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
import { type Desk, runDesk } from "../support/desk.js";
import { approvePairing, desktopLoggedIn } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

const repoRoot = resolve(import.meta.dirname, "..", "..");
const OLD_PASSWORD = "Qj4old2025";
const NEW_PASSWORD = "Qj4new2027";
/** The seed, 二(三) 2: word for word. */
const NO_PHONE = "您账户的手机号码尚未绑定，请先进入安全中心绑定手机";

let companion: RunningCompanion;
let launched: LaunchedBrowser;
let browser: Browser;
let deskConfigDir: string;
let clientToken: string;
let unit: Unit;
let legalRep: TestPerson;
let finance: TestPerson;
let manager: TestPerson;
/** People without a grant: they need the 申报密码. */
let clerkA: TestPerson;
let clerkB: TestPerson;
let clerkC: TestPerson;
const children: ChildProcess[] = [];
const desktops: DesktopClient[] = [];

/** Runs the built `taxauth-desk` as a person runs it. */
const desk = (args: string[], options: { env?: Record<string, string>; input?: string } = {}): Desk =>
  runDesk(companion, deskConfigDir, children, args, options);

beforeAll(async () => {
  requireBuiltExtension();
  if (!existsSync(join(repoRoot, "dist", "desktop-client", "main.js"))) {
    throw new Error("taxauth-desk is not built: run `npm run build:companion` first");
  }
  companion = await startCompanion({ captcha: "known" });

  // Tax registration, as the hall records it.
  legalRep = await registerPerson(companion, newPerson({ name: "李建国" }));
  finance = await registerPerson(companion, newPerson({ name: "王芳" }));
  manager = await registerPerson(companion, newPerson({ name: "周敏" }));
  clerkA = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  clerkB = await registerPerson(companion, newPerson({ name: "赵敏" }));
  clerkC = await registerPerson(companion, newPerson({ name: "钱进" }));
  unit = await addUnit(companion, { name: "广东QJ4核定4" });
  await setOfficer(companion, { tin: unit.tin, role: "法定代表人", person: legalRep });
  await setOfficer(companion, { tin: unit.tin, role: "财务负责人", person: finance });
  // The finance manager's account has no bound phone (as for an account opened before phones were asked).
  await companion.app.core.sql.run("UPDATE people SET phone = NULL WHERE login_name = ?", [finance.loginName]);
  await companion.app.core.declarationPasswords.set(unit.tin, OLD_PASSWORD);
  const repToken = await loginToken(companion, legalRep);
  const granted = await api(companion, `/api/units/${unit.tin}/grants`, {
    token: repToken,
    body: {
      docType: manager.docType,
      docNumber: manager.docNumber,
      name: manager.name,
      permission: "管理权限",
      termType: "长期",
      startDate: "2020-01-01",
    },
  });
  if (granted.status !== 200) throw new Error(`setup grant failed: ${JSON.stringify(granted.body)}`);

  // `taxauth-desk pair`, approved over the popup's HTTP API (the popup itself: desktop-pairing.test.ts).
  deskConfigDir = mkdtempSync(join(tmpdir(), "taxauth-e2e-desk-"));
  const pairing = desk(["pair", "--name", "扣缴客户端（e2e）"]);
  const [, code = ""] = await pairing.waitFor(/配对码 (\d{6})/);
  await approvePairing(companion, repToken, code, "扣缴客户端（e2e）");
  if ((await pairing.exitCode) !== 0) throw new Error(`taxauth-desk pair failed:\n${pairing.output()}`);
  clientToken = JSON.parse(readFileSync(join(deskConfigDir, "client.json"), "utf8")).clientToken;

  launched = await launchBrowser({ companionUrl: companion.url });
  browser = launched.browser;
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const client of desktops) client.close();
  await launched?.close();
  await companion?.close();
  if (deskConfigDir) rmSync(deskConfigDir, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean> | boolean, what: string, timeout = 5_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeout) throw new Error(`timed out: ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)),
  ]);
}

/** Logs in from the popup (a tab of popup size), soft keyboard off; logging in replaces any earlier session. */
const logInAs = (person: TestPerson): Promise<Page> => loginInPopup(browser, person);

/** The 企业办税权限 page opened on the unit. */
async function openUnitPage(): Promise<Page> {
  const page = await openExtensionPage(browser, `manage.html#unit=${encodeURIComponent(unit.tin)}`, 1280, 800);
  await waitForText(page, '[data-testid="unit-info"]', unit.tin);
  return page;
}

/** A paired desktop connection (the token `taxauth-desk pair` saved) with the person logged in. */
async function desktopAs(person: TestPerson): Promise<DesktopClient> {
  const client = await desktopLoggedIn(companion, clientToken, person);
  desktops.push(client);
  return client;
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: "accepted" }) as const,
    (error: unknown) => (error instanceof DesktopError ? error.body : { code: String(error) }),
  );

async function solvedCaptcha(client: DesktopClient) {
  const { captchaId } = await client.request("captcha", {});
  return { captchaId, captchaAnswer: KNOWN_CAPTCHA_ANSWER };
}

/** Five wrong 申报密码 tries (a captcha from the second on, as the companion asks); answers the codes. */
async function fiveWrongTries(client: DesktopClient): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < 5; i++) {
    const captcha = i === 0 ? {} : await solvedCaptcha(client);
    const outcome = await refusal(
      client.request("unit.enter", { tin: unit.tin, declarationPassword: "wrong1234", ...captcha }),
    );
    codes.push(outcome.code);
  }
  return codes;
}

/** What the tests read in the extension's service worker. */
type NotificationOptions = { title: string; message: string };
type WorkerGlobals = {
  chrome: { notifications: { create(id: string, options: NotificationOptions): Promise<string> } };
  __notices: NotificationOptions[];
};

describe("重置申报密码 on the manage page, then taxauth-desk enters with the new password", () => {
  let ended: Promise<{ reason: string }>;

  it("a 管理权限 holder is not offered 【重置申报密码】, and the page refuses it when asked directly", async () => {
    const popup = await logInAs(manager);
    await popup.close();
    const page = await openUnitPage();
    expect(await textOf(page, '[data-testid="unit-my-roles"]')).toContain("管理权限");
    expect(await page.$('[data-testid="declaration-reset-open"]')).toBeNull();

    await page.goto(extensionUrl(`manage.html#unit=${encodeURIComponent(unit.tin)}&view=declaration-password`));
    const refused = await waitForText(page, '[data-testid="declaration-reset-refused"]', "法定代表人");
    expect(refused).toBe("只有税务登记的法定代表人或财务负责人可以重置申报密码");
    await expectAccessible(page, "manage: 重置申报密码 refused");
    expect(await page.$('[data-testid="declaration-reset-form"]')).toBeNull();
    await page.close();
  });

  it("a finance manager without a bound phone is told exactly what the seed says, and no SMS is sent", async () => {
    const popup = await logInAs(finance);
    await popup.close();
    const page = await openUnitPage();
    expect(await textOf(page, '[data-testid="unit-my-roles"]')).toContain("财务负责人");
    const sentBefore = readOutbox(companion.dataDir).length;
    await page.click('[data-testid="declaration-reset-open"]');
    const message = await waitForText(page, '[data-testid="unit-error"]', "手机号码");
    expect(message).toBe(NO_PHONE);
    expect(message).toBe(ERROR_MESSAGES.PHONE_NOT_BOUND);
    expect(await page.$('[data-testid="declaration-reset-form"]')).toBeNull();
    expect(page.url()).not.toContain("view=declaration-password");
    expect(readOutbox(companion.dataDir)).toHaveLength(sentBefore);
    await shot(page, "manage-declaration-no-phone.png");
    await expectAccessible(page, "manage: 重置申报密码 without a bound phone");
    await page.close();
  });

  // Each step waits within its own bound; on a loaded machine together they may pass the default 60 s.
  it("ten wrong 申报密码 tries across two people lock them and alert the legal rep: 申报密码异常", async () => {
    const popup = await logInAs(legalRep);
    await popup.close();
    // With no extension page open, the one event listener left is the background's.
    const repId = (await companion.app.core.people.byLoginName(legalRep.loginName))?.id ?? "";
    await until(() => companion.app.core.hub.listeners(repId) === 1, "the background listens for the legal rep");
    const workerTarget = await browser.waitForTarget(
      (target) => target.type() === "service_worker" && target.url().endsWith("/background.js"),
    );
    const worker = await workerTarget.worker();
    if (!worker) throw new Error("no background service worker");
    // Headless Chromium shows no notifications: record what the background asks for.
    await worker.evaluate(() => {
      const sw = globalThis as unknown as WorkerGlobals;
      const create = sw.chrome.notifications.create.bind(sw.chrome.notifications);
      sw.__notices = [];
      sw.chrome.notifications.create = (id, options) => {
        sw.__notices.push(options);
        return create(id, options);
      };
    });

    // 钱进 entered with the old password before: the reset will end that session.
    const inUnit = await desktopAs(clerkC);
    expect(await inUnit.request("unit.enter", { tin: unit.tin, declarationPassword: OLD_PASSWORD })).toMatchObject({
      via: "password",
    });
    ended = inUnit.nextEvent("unit.ended");

    const codesA = await fiveWrongTries(await desktopAs(clerkA));
    const codesB = await fiveWrongTries(await desktopAs(clerkB));
    for (const codes of [codesA, codesB]) {
      expect(codes).toEqual([...Array(4).fill("DECLARATION_PASSWORD_WRONG"), "DECLARATION_LOCKED"]);
    }

    await until(
      async () => (await worker.evaluate(() => (globalThis as unknown as WorkerGlobals).__notices.length)) > 0,
      "the 申报密码异常 notification",
    );
    const notices = await worker.evaluate(() => (globalThis as unknown as WorkerGlobals).__notices);
    expect(notices).toEqual([
      {
        type: "basic",
        iconUrl: expect.any(String),
        priority: 2,
        title: "申报密码异常",
        message: "广东QJ4核定4 在60分钟内有10次申报密码错误，请留意",
      },
    ]);
  }, 120_000);

  it("the legal rep resets it: live policy feedback, 获取验证码 with countdown, 【保存】, then 修改完成", async () => {
    const page = await openUnitPage();
    expect(await textOf(page, '[data-testid="unit-my-roles"]')).toContain("法定代表人");
    expect(await textOf(page, '[data-testid="declaration-reset-open"]')).toBe("重置申报密码");
    await page.click('[data-testid="declaration-reset-open"]');
    await page.waitForSelector('[data-testid="declaration-reset-form"]');
    expect(page.url()).toContain("view=declaration-password");
    const note = await textOf(page, '[data-testid="declaration-reset-form"] .form-note');
    expect(note).toContain(unit.tin);
    expect(note).toContain(maskPhone(legalRep.phone));

    // Live feedback from the shared policy (checkDeclarationPassword) while typing.
    const policy = () => textOf(page, '[data-testid="declaration-policy"]');
    expect(await policy()).toBe("申报密码为8-20位，只能由字母和数字组成，且须同时包含字母和数字");
    await fill(page, "#newPassword", "abcdefgh");
    expect(await policy()).toBe("申报密码须同时包含字母和数字");
    await fill(page, "#newPassword", "abcd-1234");
    expect(await policy()).toBe("申报密码只能由字母和数字组成");
    await fill(page, "#newPassword", "Qj4new");
    expect(await policy()).toBe("申报密码长度应为8-20位");
    await fill(page, "#newPassword", NEW_PASSWORD);
    expect(await policy()).toBe("✓ 符合申报密码规则");

    // 获取验证码 comes after the confirmation (seed: 输入新密码并确认密码后，获取短信验证码).
    const sentBefore = readOutbox(companion.dataDir).length;
    await page.click('[data-testid="sms-send"]');
    await waitForText(page, '[data-testid="confirmPassword-error"]', "请再次输入申报密码");
    expect(readOutbox(companion.dataDir)).toHaveLength(sentBefore);
    await fill(page, "#confirmPassword", `${NEW_PASSWORD}x`);
    await page.focus("#smsCode");
    await waitForText(page, '[data-testid="confirmPassword-error"]', "两次输入的申报密码不一致");
    await fill(page, "#confirmPassword", NEW_PASSWORD);
    await page.focus("#smsCode");
    await page.waitForFunction(() => !document.querySelector('[data-testid="confirmPassword-error"]'));

    await page.click('[data-testid="sms-send"]');
    await waitForText(page, '[data-testid="sms-sent-to"]', maskPhone(legalRep.phone));
    expect(await textOf(page, '[data-testid="sms-send"]')).toMatch(/^\d+秒后重新获取$/);
    expect(await page.$eval('[data-testid="sms-send"]', (el) => (el as HTMLButtonElement).disabled)).toBe(true);
    const code = await lastSmsCode(companion.dataDir, legalRep.phone);

    // A wrong code is refused under its field; the password stays what it was.
    await fill(page, "#smsCode", code === "000000" ? "111111" : "000000");
    await page.click('[data-testid="declaration-reset-save"]');
    await waitForText(page, '[data-testid="smsCode-error"]', "短信验证码错误");
    expect(await companion.app.core.declarationPasswords.matches(unit.tin, OLD_PASSWORD)).toBe(true);

    await fill(page, "#smsCode", code);
    expect(await textOf(page, '[data-testid="declaration-reset-save"]')).toBe("保存");
    await shot(page, "manage-declaration-reset.png");
    await expectAccessible(page, "manage: 重置申报密码 form");
    await page.click('[data-testid="declaration-reset-save"]');
    const done = await waitForText(page, '[data-testid="declaration-reset-done"]', "申报密码重置成功");
    expect(await textOf(page, '[data-testid="declaration-reset-done-title"]')).toBe("申报密码重置成功");
    expect(done).toContain("广东QJ4核定4");
    expect(await textOf(page, ".step--current")).toContain("修改完成");
    await shot(page, "manage-declaration-done.png");
    await expectAccessible(page, "manage: 重置申报密码 done");

    // The session opened with the old password ended at once, saying why.
    const { reason } = await within(ended, 2_000, "unit.ended for the old-password session");
    expect(reason).toContain("申报密码已重置");

    await page.click('[data-testid="declaration-reset-back"]');
    await page.waitForSelector('[data-testid="unit-detail"]');
    expect(page.url()).not.toContain("view=declaration-password");
    await page.close();
  });

  it("taxauth-desk, as a person without a grant (locked before the reset), enters with the new password", async () => {
    // The old password is no longer it, and the reset cleared the lock: a wrong try, not LOCKED.
    const other = await desktopAs(clerkB);
    const old = await refusal(
      other.request("unit.enter", {
        tin: unit.tin,
        declarationPassword: OLD_PASSWORD,
        ...(await solvedCaptcha(other)),
      }),
    );
    expect(old.code).toBe("DECLARATION_PASSWORD_WRONG");

    const run = desk(["enter", unit.tin, "--account", clerkA.loginName], {
      env: { TAXAUTH_DESK_PASSWORD: clerkA.password, TAXAUTH_DESK_DECLARATION_PASSWORD: NEW_PASSWORD },
      // Should the companion still want a captcha after the earlier failures, the person types it.
      input: `${KNOWN_CAPTCHA_ANSWER}\n`,
    });
    await run.waitFor(new RegExp(`已进入单位：广东QJ4核定4（${unit.tin}），验证方式：申报密码`));
    expect(run.output()).toContain("您没有该单位的办税授权");
    expect(run.output()).not.toContain(NEW_PASSWORD);
    run.child.kill("SIGINT");
    expect(await run.exitCode).toBe(0);
    expect(run.output()).toContain("已退出单位：广东QJ4核定4");
  });
});
