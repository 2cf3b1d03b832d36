/**
 * End to end, 企业办税权限 and 我的办税权限 in two real Chromium profiles with the built extension:
 * the legal rep (profile A) grants the clerk from the full-tab page; the clerk's popup (profile B,
 * open and logged in) shows it live; the clerk renounces it; the legal rep's table follows live.
 * Needs `npm run build:extension` first; `npm test` does it.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Unit } from "../../shared/api/grants.js";
import { addDays, shanghaiDate } from "../../shared/dates.js";
import {
  expectAccessible,
  explainTimeout,
  fill,
  type LaunchedBrowser,
  launchBrowser,
  loginInPopup as logInFromPopup,
  openExtensionPage,
  requireBuiltExtension,
  shot,
  textOf,
  waitForText,
} from "../support/browser.js";
import { api, type RunningCompanion, startCompanion } from "../support/companion.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

const LIVE_MS = 1_000;

let companion: RunningCompanion;
const profiles: LaunchedBrowser[] = [];
let unit: Unit;
let otherUnit: Unit;
let legalRep: TestPerson;
let clerk: TestPerson;
let manager: TestPerson;

/** One Chromium profile with the extension, in Chinese, pointed at the test companion. */
async function launchProfile(): Promise<Browser> {
  const profile = await launchBrowser({ companionUrl: companion.url, downloads: true });
  profiles.push(profile);
  return profile.browser;
}

beforeAll(async () => {
  requireBuiltExtension();
  companion = await startCompanion({ captcha: "known" });

  // Tax registration, as the hall records it: two units, the legal rep of one, finance manager of both.
  legalRep = await registerPerson(companion, newPerson({ name: "李建国" }));
  clerk = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  manager = await registerPerson(companion, newPerson({ name: "王芳" }));
  unit = await addUnit(companion, { name: "广东QJ4核定4", departments: ["财务部", "人事部"] });
  otherUnit = await addUnit(companion, { name: "广东QJ4核定5" });
  await setOfficer(companion, { tin: unit.tin, role: "法定代表人", person: legalRep });
  await setOfficer(companion, { tin: otherUnit.tin, role: "财务负责人", person: legalRep });
  // One grant made beforehand (over the API), so the table shows a 管理权限 定期 row as well.
  const token = await loginToken(companion, legalRep);
  const made = await api(companion, `/api/units/${unit.tin}/grants`, {
    token,
    body: {
      docType: manager.docType,
      docNumber: manager.docNumber,
      name: manager.name,
      permission: "管理权限",
      termType: "定期",
      startDate: "2026-01-01",
      endDate: "2030-12-31",
    },
  });
  if (made.status !== 200) throw new Error(`setup grant failed: ${JSON.stringify(made.body)}`);
});

afterAll(async () => {
  for (const profile of profiles) await profile.close();
  await companion?.close();
});

/** Clicks a page's export button; the CSV files then in `downloads` (waiting up to 10 s for one). */
async function downloadedCsv(page: Page, downloads: string, button: string): Promise<string[]> {
  await page.click(button);
  const started = Date.now();
  let files: string[] = [];
  while (Date.now() - started < 10_000) {
    files = existsSync(downloads) ? readdirSync(downloads).filter((name) => name.endsWith(".csv")) : [];
    if (files.length > 0) break;
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  if (files.length === 0) await explainTimeout(page, `the download of ${button}`, new Error("no file"));
  return files;
}

/** Where a profile's downloads land (set at launch). */
function downloadsOf(browser: Browser): string {
  const profile = profiles.find((p) => p.browser === browser);
  if (!profile) throw new Error("unknown profile");
  return profile.downloadsDir;
}

/** Logs in from the popup (opened as a tab of popup size), soft keyboard switched off. */
async function loginInPopup(browser: Browser, person: TestPerson): Promise<Page> {
  const popup = await logInFromPopup(browser, person);
  await popup.waitForSelector('[data-testid="my-grants"]');
  return popup;
}

/** Sets a date input as the date picker would (an input event, then blur so the field counts as touched). */
async function setDate(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(
    selector,
    (el, date) => {
      const input = el as HTMLInputElement;
      input.value = date;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new FocusEvent("blur"));
    },
    value,
  );
}

/** What the tests read in the extension's service worker. */
type ExtensionGlobals = {
  chrome: {
    action: { getBadgeText(details: object, callback: (text: string) => void): void };
    notifications: { create(id: string, options: NotificationOptions): Promise<string> };
  };
};

type NotificationOptions = { title: string; message: string };
/** The background's notifications, recorded by the test in the service worker. */
type Recorded = { __notices: NotificationOptions[] };

async function until(check: () => Promise<boolean>, what: string, timeout = 5_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeout) throw new Error(`timed out: ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}

const grantRow = (name: string) =>
  `//tr[@data-testid="grant-row"][.//*[@data-testid="grant-grantee" and contains(., "${name}")]]`;

describe("企业办税权限 and 我的办税权限, live across two browsers", () => {
  let browserA: Browser;
  let browserB: Browser;
  let clerkPopup: Page;
  let manage: Page;
  let managerPopup: Page;

  it("the clerk logs in (profile B): 我的办税权限 is empty, no 【企业办税权限】", async () => {
    [browserA, browserB] = await Promise.all([launchProfile(), launchProfile()]);
    clerkPopup = await loginInPopup(browserB, clerk);
    await clerkPopup.waitForSelector('[data-testid="my-grants-empty"]');
    expect(await clerkPopup.$('[data-testid="open-manage"]')).toBeNull();
    await expectAccessible(clerkPopup, "popup: logged in, no grants");
  });

  it("the legal rep logs in (profile A) and opens 企业办税权限 from the popup", async () => {
    const popup = await loginInPopup(browserA, legalRep);
    await popup.waitForSelector('[data-testid="open-manage"]');
    expect(await popup.$eval('[data-testid="open-manage"]', (el) => el.textContent)).toBe("【企业办税权限】");
    // A legal rep's popup leads with the units they manage, before their own 我的办税权限.
    const card = await textOf(popup, '[data-testid="managed-units"]');
    expect(card).toContain("企业办税权限（2个单位）");
    const units = await popup.$$eval('[data-testid="managed-unit"]', (els) => els.map((el) => el.textContent ?? ""));
    expect(units).toHaveLength(2);
    expect(units.find((u) => u.includes("广东QJ4核定4"))).toMatch(/法定代表人 · 已授权\d+人/);
    expect(units.find((u) => u.includes("广东QJ4核定5"))).toContain("财务负责人");
    expect(
      await popup.$eval('[data-testid="managed-units"]', (el) =>
        Boolean(el.compareDocumentPosition(document.querySelector('[data-testid="my-grants"]') as Node) & 4),
      ),
    ).toBe(true);
    await shot(popup, "popup-legal-rep.png");
    const opened = browserA.waitForTarget((target) => target.url().includes("/manage.html"));
    await popup.click('[data-testid="open-manage"]');
    const page = await (await opened).page();
    if (!page) throw new Error("the manage tab did not open");
    manage = page;
    await manage.setViewport({ width: 1280, height: 800 });
    await popup.close();

    await waitForText(manage, '[data-testid="unit-row"]', "广东QJ4核定5");
    const rows = await manage.$$eval('[data-testid="unit-row"]', (els) => els.map((el) => el.textContent ?? ""));
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row.includes(unit.tin))).toContain("法定代表人");
    expect(rows.find((row) => row.includes(otherUnit.tin))).toContain("财务负责人");
    expect(await manage.title()).toContain("企业办税权限");
    await shot(manage, "manage-units.png");
    await expectAccessible(manage, "manage: unit list");

    // 查询 by a 纳税人识别号 fragment keeps only that unit.
    await fill(manage, "#unitQuery", unit.tin.slice(-8));
    await manage.click('[data-testid="unit-search"]');
    await manage.waitForFunction(() => document.querySelectorAll('[data-testid="unit-row"]').length === 1);
    await manage.click(`[data-testid="unit-row"][data-tin="${unit.tin}"] [data-testid="unit-open"]`);
    await waitForText(manage, '[data-testid="unit-info"]', unit.tin);
    await waitForText(manage, '[data-testid="grant-row"]', "王芳");
    await expectAccessible(manage, "manage: a unit's grants");
  });

  it("新增授权 for the clerk; the clerk's open popup shows 有效 within a second", async () => {
    await manage.click('[data-testid="tab-add"]');
    await manage.waitForSelector('[data-testid="grant-form"]');
    // 止 is asked for 定期 only.
    expect(await manage.$("#endDate")).toBeNull();
    await manage.click('input[name="termType"][value="定期"]');
    await manage.waitForSelector("#endDate");
    await manage.click('input[name="termType"][value="长期"]');
    await manage.waitForFunction(() => !document.querySelector("#endDate"));

    // Live feedback from the shared validators.
    await manage.select("#docType", clerk.docType);
    const wrongCheckDigit = clerk.docNumber.slice(0, 17) + (clerk.docNumber.endsWith("0") ? "1" : "0");
    await fill(manage, "#docNumber", wrongCheckDigit);
    await manage.focus("#name");
    await waitForText(manage, '[data-testid="docNumber-error"]', "校验码错误");
    await expectAccessible(manage, "manage: 新增授权 with a field error");
    await fill(manage, "#docNumber", clerk.docNumber);
    await fill(manage, "#name", clerk.name);
    await manage.click('input[name="permission"][value="办税权限"]');

    const seenByClerk = clerkPopup
      .waitForFunction(
        (tin) =>
          document
            .querySelector(`[data-testid="my-grant"][data-tin="${tin}"] [data-testid="my-grant-status"]`)
            ?.textContent?.includes("有效") ?? false,
        { timeout: 10_000, polling: "mutation" },
        unit.tin,
      )
      .then(() => Date.now());
    const clickedAt = Date.now();
    await manage.click('[data-testid="grant-submit"]');
    await waitForText(manage, '[data-testid="unit-notice"]', "已为宋晓明新增授权");
    const shownAt = await seenByClerk.catch((error) => explainTimeout(clerkPopup, "clerk sees the grant", error));
    expect(shownAt - clickedAt, `shown ${shownAt - clickedAt} ms after 保存授权`).toBeLessThanOrEqual(LIVE_MS);

    const row = await waitForText(clerkPopup, '[data-testid="my-grant"]', "广东QJ4核定4");
    expect(row).toContain(unit.tin);
    expect(row).toContain("办税权限");
    expect(row).toContain("长期");
    await shot(clerkPopup, "popup-my-grants.png");
    await expectAccessible(clerkPopup, "popup: 我的办税权限 with a grant");

    const [tableRow] = await manage.$$(`::-p-xpath(${grantRow("宋晓明")})`);
    expect(await tableRow?.evaluate((el) => el.textContent)).toContain("有效");
    // The manager sees the full name; the 证件号码 is masked until clicked, and again after.
    const docNumber = await tableRow?.$('[data-testid="grantee-doc-number"]');
    const masked = await docNumber?.evaluate((el) => el.textContent);
    expect(masked).toMatch(/^\d{3}\*{5}\w{3}$/);
    await docNumber?.click();
    await manage.waitForFunction(
      (el, whole) => el?.textContent === whole,
      { timeout: 5_000 },
      docNumber,
      clerk.docNumber,
    );
    await docNumber?.click();
    expect(await docNumber?.evaluate((el) => el.textContent)).toBe(masked);
  });

  it("the clerk 解除授权 (confirmed in the popup); the legal rep's table shows 已解除(本人) without reload", async () => {
    const renounce = `[data-testid="my-grant"][data-tin="${unit.tin}"] [data-testid="my-grant-renounce"]`;
    const focused = () => clerkPopup.evaluate(() => document.activeElement?.getAttribute("data-testid"));
    await clerkPopup.click(renounce);
    await waitForText(clerkPopup, '[data-testid="my-grant-confirm-box"]', "确定解除");
    // As the manage page's dialog: 取消 first, and focused; Esc cancels and gives the focus back.
    const buttons = await clerkPopup.$$eval('[data-testid="my-grant-confirm-box"] button', (els) =>
      els.map((el) => el.textContent),
    );
    expect(buttons).toEqual(["取消", "解除授权"]);
    expect(await focused()).toBe("my-grant-cancel");
    await clerkPopup.keyboard.press("Escape");
    await clerkPopup.waitForFunction(() => !document.querySelector('[data-testid="my-grant-confirm-box"]'));
    expect(await focused()).toBe("my-grant-renounce");
    await clerkPopup.keyboard.press("Enter");
    await waitForText(clerkPopup, '[data-testid="my-grant-confirm-box"]', "确定解除");
    await expectAccessible(clerkPopup, "popup: 解除授权 asked to confirm");
    await clerkPopup.click('[data-testid="my-grant-confirm"]');
    await waitForText(clerkPopup, '[data-testid="my-grant-status"]', "已解除(本人)");

    await manage
      .waitForFunction(
        (xpath) => {
          const row = document.evaluate(xpath, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null)
            .singleNodeValue as Element | null;
          return row?.querySelector('[data-testid="grant-status"]')?.textContent === "已解除(本人)";
        },
        { timeout: 5_000 },
        grantRow("宋晓明"),
      )
      .catch((error) => explainTimeout(manage, "legal rep sees 已解除(本人)", error));
    // An ended grant offers no 变更 or 解除授权.
    const [ended] = await manage.$$(`::-p-xpath(${grantRow("宋晓明")})`);
    expect(await ended?.$('[data-testid="grant-change"]')).toBeNull();
    expect(await ended?.$('[data-testid="grant-revoke"]')).toBeNull();
    // 已授权（n） counts the grants in force: 王芳's, not the one the clerk ended (still listed).
    await waitForText(manage, '[data-testid="tab-granted"]', "已授权（1）");
    expect(await manage.$$('[data-testid="grant-row"]')).toHaveLength(2);
    await shot(manage, "manage-unit.png");
    await expectAccessible(manage, "manage: grants with an ended one");

    // The tabs work by keyboard too: End on the current tab opens the last one, 变更记录.
    await manage.focus('[data-testid="tab-granted"]');
    await manage.keyboard.press("End");
    const history = await waitForText(manage, '[data-testid="history-table"]', "本人解除");
    expect(await manage.$eval('[data-testid="tab-history"]', (el) => el.getAttribute("aria-selected"))).toBe("true");
    expect(await manage.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("tab-history");
    expect(history).toContain("新增授权");
    // Newest first: the clerk's 本人解除 on top, 王芳's 新增授权 (made first) at the bottom.
    const actions = await manage.$$eval('[data-testid="history-action"]', (els) => els.map((el) => el.textContent));
    expect(actions).toEqual(["本人解除", "新增授权", "新增授权"]);
    await shot(manage, "manage-history.png");
    await expectAccessible(manage, "manage: 变更记录");
  });

  it("变更记录 filters on the companion and exports what they keep; the clerk's popup shows 最近动态", async () => {
    const rows = (count: number) =>
      manage
        .waitForFunction((n) => document.querySelectorAll('[data-testid="history-row"]').length === n, {}, count)
        .catch((error) => explainTimeout(manage, `${count} history rows`, error));
    await manage.select('[data-testid="history-filter-action"]', "新增授权");
    await fill(manage, "#history-grantee", "王芳");
    await manage.click('[data-testid="history-filter-apply"]');
    await rows(1);
    expect(await textOf(manage, '[data-testid="history-row"]')).toContain("王芳");
    await expectAccessible(manage, "manage: 变更记录 filtered");
    await setDate(manage, "#history-from", "2020-01-01");
    await setDate(manage, "#history-to", "2020-01-31");
    await manage.click('[data-testid="history-filter-apply"]');
    await waitForText(manage, '[data-testid="history-empty"]', "没有符合筛选条件的变更记录");
    await manage.click('[data-testid="history-filter-clear"]');
    await rows(3);

    await manage.select('[data-testid="history-filter-action"]', "新增授权");
    await manage.click('[data-testid="history-filter-apply"]');
    await rows(2);
    const downloads = downloadsOf(browserA);
    const files = await downloadedCsv(manage, downloads, '[data-testid="export-history-csv"]');
    expect(files).toEqual([expect.stringMatching(/^变更记录_广东QJ4核定4_\d{4}-\d{2}-\d{2}\.csv$/)]);
    const file = join(downloads, files[0] as string);
    const lines = readFileSync(file, "utf8").trimEnd().split("\r\n");
    expect(lines[0]).toContain(`变更记录,广东QJ4核定4,${unit.tin},筛选 操作类型 新增授权,导出时间 `);
    expect(lines.slice(2).map((line) => line.split(",")[3])).toEqual(["新增授权", "新增授权"]);
    // The grants export below expects to be the only CSV there.
    rmSync(file);

    await clerkPopup.click('[data-testid="recent-events-toggle"]');
    const recent = await waitForText(clerkPopup, '[data-testid="recent-events"]', "本人解除");
    expect(recent).toContain("广东QJ4核定4");
    expect(recent).toContain("密码登录");
  });

  it("then the clerk may 删除 the ended entry", async () => {
    await clerkPopup.click(`[data-testid="my-grant"][data-tin="${unit.tin}"] [data-testid="my-grant-delete"]`);
    await clerkPopup.click('[data-testid="my-grant-confirm"]');
    await clerkPopup.waitForSelector('[data-testid="my-grants-empty"]');
  });

  it("变更 in a dialog, checked live by the shared term rule; 解除授权 asks first; 导出CSV downloads", async () => {
    await manage.click('[data-testid="tab-granted"]');
    // The tab reads its page of grants from the companion when it opens.
    const row = await manage.waitForSelector(`::-p-xpath(${grantRow("王芳")})`);
    await row?.$eval('[data-testid="grant-change"]', (el) => (el as HTMLElement).click());
    await manage.waitForSelector('[data-testid="change-dialog"][open]');
    expect(await manage.$eval('input[name="change-termType"][value="定期"]', (el) => el.checked)).toBe(true);
    await setDate(manage, "#change-endDate", "2025-12-31");
    await waitForText(manage, '[data-testid="change-endDate-error"]', "授权期限止不能早于授权期限起");
    await setDate(manage, "#change-endDate", "2029-06-30");
    await manage.click('input[name="change-permission"][value="办税权限"]');
    await shot(manage, "manage-change.png");
    await expectAccessible(manage, "manage: 变更 dialog");
    await manage.click('[data-testid="change-submit"]');
    await waitForText(manage, '[data-testid="unit-notice"]', "已变更王芳的授权");
    const changed = await waitForText(manage, '[data-testid="grant-row"]', "2029-06-30");
    expect(changed).toContain("办税权限");

    const [again] = await manage.$$(`::-p-xpath(${grantRow("王芳")})`);
    await again?.$eval('[data-testid="grant-revoke"]', (el) => (el as HTMLElement).click());
    await waitForText(manage, '[data-testid="revoke-dialog"]', "确定解除王芳在“广东QJ4核定4”的办税权限吗");
    await expectAccessible(manage, "manage: 解除授权 dialog");
    await manage.click('[data-testid="revoke-dialog-cancel"]');
    await manage.waitForFunction(() => !document.querySelector('[data-testid="revoke-dialog"]'));
    expect(await waitForText(manage, '[data-testid="grant-row"]', "2029-06-30")).toContain("有效");

    const downloads = downloadsOf(browserA);
    const files = await downloadedCsv(manage, downloads, '[data-testid="export-csv"]');
    // Named in Chinese after the unit and the day; its first line says the same.
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^企业办税权限_广东QJ4核定4_\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(join(downloads, files[0] as string), "utf8");
    expect(csv).toContain(`企业办税权限,广东QJ4核定4,${unit.tin},导出时间 `);
    expect(csv).toContain("被授权人");
    expect(csv).toContain("宋晓明");
    expect(csv).toContain("已解除(本人)");
  });

  it("follows a dark system setting, and stays readable there: the manage page and the popup", async () => {
    const dark = [{ name: "prefers-color-scheme", value: "dark" }];
    const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background(manage);
    await manage.emulateMediaFeatures(dark);
    try {
      expect(await background(manage)).not.toBe(light);
      // The grants with their chips (有效, 已解除(本人)) and the notice of the change above.
      await waitForText(manage, '[data-testid="grant-row"]', "已解除(本人)");
      await expectAccessible(manage, "manage, dark: a unit's grants");
      await shot(manage, "manage-dark.png");
    } finally {
      await manage.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
    }
    const popup = await openExtensionPage(browserA, "popup.html", 360, 640);
    await popup.waitForSelector('[data-testid="my-grants"]');
    const popupLight = await background(popup);
    await popup.emulateMediaFeatures(dark);
    expect(await background(popup)).not.toBe(popupLight);
    await expectAccessible(popup, "popup, dark: logged in");
    await shot(popup, "popup-dark.png");
    await popup.close();
  });

  it("a 管理权限 holder sees their limit, no 长期, and no actions on their own grant", async () => {
    // The change above made 王芳's grant 办税权限: give 管理权限 back (to 2029-06-30) over the API.
    const token = await loginToken(companion, legalRep);
    const detail = await api(companion, `/api/units/${unit.tin}/grants`, { token });
    const own = detail.body.items.find((g: { grantee: { name: string } }) => g.grantee.name === "王芳");
    const back = await api(companion, `/api/units/${unit.tin}/grants/${own.id}/change`, {
      token,
      body: { permission: "管理权限", termType: "定期", startDate: "2026-01-01", endDate: "2029-06-30" },
    });
    expect(back.status).toBe(200);

    await clerkPopup.click('[data-testid="logout"]');
    await clerkPopup.waitForSelector("#account");
    await clerkPopup.close();
    const popup = await loginInPopup(browserB, manager);
    // The 企业办税权限 card comes with the units this person manages, a moment after login.
    await popup.waitForSelector('[data-testid="open-manage"]');
    const opened = browserB.waitForTarget((target) => target.url().includes("/manage.html"));
    await popup.click('[data-testid="open-manage"]');
    const page = await (await opened).page();
    if (!page) throw new Error("the manage tab did not open");
    await page.setViewport({ width: 1280, height: 800 });
    await waitForText(page, '[data-testid="unit-row"]', "管理权限");
    await page.click(`[data-testid="unit-row"][data-tin="${unit.tin}"] [data-testid="unit-open"]`);
    await waitForText(page, '[data-testid="grant-limit"]', "2029-06-30");
    const [mine] = await page.$$(`::-p-xpath(${grantRow("王芳")})`);
    expect(await mine?.evaluate((el) => el.textContent)).toContain("本人");
    expect(await mine?.$('[data-testid="grant-change"]')).toBeNull();
    expect(await mine?.$('[data-testid="grant-revoke"]')).toBeNull();

    await page.click('[data-testid="tab-add"]');
    await page.waitForSelector('[data-testid="grant-form"]');
    expect(await page.$eval('input[name="termType"][value="长期"]', (el) => el.disabled)).toBe(true);
    expect(await page.$eval('input[name="termType"][value="定期"]', (el) => el.checked)).toBe(true);
    expect(await page.$eval("#endDate", (el) => (el as HTMLInputElement).max)).toBe("2029-06-30");
    await waitForText(page, "#termType", "只能选择定期");
    await shot(page, "manage-grant-form-limited.png");
    await expectAccessible(page, "manage: 新增授权 limited to 定期");
    managerPopup = popup;
  });

  it("the background notifies the grantee of a change and badges grants ending within 7 days", async () => {
    // The popup (an extension page of profile B) reads the badge; in front, so its page polling runs.
    await managerPopup.bringToFront();
    const workerTarget = await browserB.waitForTarget(
      (target) => target.type() === "service_worker" && target.url().endsWith("/background.js"),
    );
    const worker = await workerTarget.worker();
    if (!worker) throw new Error("no background service worker");
    await worker.evaluate(() => {
      const sw = globalThis as unknown as Recorded & ExtensionGlobals;
      const create = sw.chrome.notifications.create.bind(sw.chrome.notifications);
      sw.__notices = [];
      sw.chrome.notifications.create = (id, options) => {
        sw.__notices.push(options);
        return create(id, options);
      };
    });
    const badge = () =>
      managerPopup.evaluate(
        () =>
          new Promise<string>((resolveText) =>
            (globalThis as unknown as ExtensionGlobals).chrome.action.getBadgeText({}, resolveText),
          ),
      );
    expect(await badge()).toBe("");

    // The legal rep shortens 王芳's grant to end in 3 days (over the API; the page is profile A's).
    const token = await loginToken(companion, legalRep);
    const detail = await api(companion, `/api/units/${unit.tin}/grants`, { token });
    const hers = detail.body.items.find((g: { grantee: { name: string } }) => g.grantee.name === "王芳");
    const today = shanghaiDate(Date.now());
    const changed = await api(companion, `/api/units/${unit.tin}/grants/${hers.id}/change`, {
      token,
      body: { permission: "管理权限", termType: "定期", startDate: "2026-01-01", endDate: addDays(today, 3) },
    });
    expect(changed.status).toBe(200);

    await until(async () => (await badge()) === "1", "the badge shows 1");
    // Its days left, in 我的办税权限 and in the legal rep's table (profile A, live).
    await waitForText(managerPopup, `[data-testid="my-grant"][data-tin="${unit.tin}"]`, "剩3天");
    expect(await waitForText(manage, '[data-testid="grant-row"]', "剩3天")).toContain("王芳");
    expect(await manage.$$('[data-testid="days-left"]')).toHaveLength(1);

    // Headless Chromium shows no notifications (notifications.getAll never answers): read what was asked for.
    await until(
      async () => (await worker.evaluate(() => (globalThis as unknown as Recorded).__notices.length)) > 0,
      "a notification",
    );
    const [notice] = await worker.evaluate(() => (globalThis as unknown as Recorded).__notices);
    expect(notice).toMatchObject({ title: "办税权限变更", message: "广东QJ4核定4 变更了您的办税权限" });
    await waitForText(managerPopup, '[data-testid="my-grants-ending-soon"]', "有1项授权将在7日内到期");

    // Logging out clears the badge.
    await managerPopup.click('[data-testid="logout"]');
    await managerPopup.waitForSelector("#account");
    await until(async () => (await badge()) === "", "the badge is cleared");
  });
});
