/**
 * End to end, office mode: two desktops of one office, each with its own companion and its own
 * Chromium profile with the built extension. Companion A runs in the test's process, companion B in
 * a process of its own (its own data dir and OS keychain, joined to the office with a code from A);
 * both on one PostgreSQL database. Profile A is pointed at A, profile B at B.
 *
 * The legal rep grants 办税权限 from 企业办税权限 in profile A; the clerk's popup in profile B, open
 * and logged in, shows it live; the clerk 解除授权 there; the legal rep's table in profile A follows
 * live. Neither page polls: what they show comes from their own companion's event socket, so each
 * change had to cross from one companion to the other through the database (LISTEN/NOTIFY).
 *
 * Needs `npm run build` first (the extension, and the companion B runs as); `npm test` does it.
 */
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Unit } from "../../shared/api/grants.js";
import {
  explainTimeout,
  fill,
  type LaunchedBrowser,
  launchBrowser,
  loginInPopup as logInFromPopup,
  requireBuiltExtension,
  shot,
  waitForText,
} from "../support/browser.js";
import { freshOfficeDatabase, type RunningCompanion, startCompanion } from "../support/companion.js";
import { type CompanionProcess, startCompanionProcess } from "../support/companion-process.js";
import { newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

/**
 * From the click to the other desktop's page showing it: the notice, the page's refetch from its own
 * companion and the render. (The bus alone takes milliseconds; other tests may share the machine.)
 */
const LIVE_MS = 2_000;

let a: RunningCompanion;
let b: CompanionProcess;
const profiles: LaunchedBrowser[] = [];
let unit: Unit;
let legalRep: TestPerson;
let clerk: TestPerson;

beforeAll(async () => {
  requireBuiltExtension();
  const databaseUrl = await freshOfficeDatabase();
  a = await startCompanion({ databaseUrl, captcha: "known" });
  // B joins the office with a code A's machine gives, as a second desktop does once.
  const { code } = await a.app.core.office!.invite();
  b = await startCompanionProcess({ databaseUrl, before: [["office", "join", "--code", code, "--name", "电脑B"]] });

  // Tax registration, as the hall records it (through A: the database is the office's one).
  legalRep = await registerPerson(a, newPerson({ name: "李建国" }));
  clerk = await registerPerson(a, newPerson({ name: "宋晓明" }));
  unit = await addUnit(a, { name: "广东QJ4核定4", departments: ["财务部"] });
  await setOfficer(a, { tin: unit.tin, role: "法定代表人", person: legalRep });
});

afterAll(async () => {
  for (const profile of profiles) await profile.close();
  await b?.close();
  await a?.close();
});

/** One Chromium profile with the extension, in Chinese, pointed at one desktop's companion. */
async function launchProfile(companionUrl: string): Promise<Browser> {
  const profile = await launchBrowser({ companionUrl });
  profiles.push(profile);
  return profile.browser;
}

/** Logs in from the popup (opened as a tab of popup size), soft keyboard switched off. */
async function loginInPopup(browser: Browser, person: TestPerson): Promise<Page> {
  const popup = await logInFromPopup(browser, person);
  await popup.waitForSelector('[data-testid="my-grants"]');
  return popup;
}

/** The companion address the profile's extension uses (storage.local, as the options page sets it). */
const companionUrlOf = (page: Page) =>
  page.evaluate(async () => {
    const { chrome } = globalThis as unknown as {
      chrome: { storage: { local: { get(key: string): Promise<Record<string, unknown>> } } };
    };
    return (await chrome.storage.local.get("companionUrl")).companionUrl;
  });

/** Marks the page's document, so that `sameDocument` tells whether it was reloaded or reopened since. */
type Marked = { __notReloaded?: boolean };
const markDocument = (page: Page) =>
  page.evaluate(() => {
    (globalThis as unknown as Marked).__notReloaded = true;
  });
const sameDocument = (page: Page) => page.evaluate(() => (globalThis as unknown as Marked).__notReloaded === true);

/** This person's id in the office's database. */
async function personId(person: TestPerson): Promise<string> {
  const found = await a.app.core.people.byDocument(person.docType, person.docNumber);
  if (!found) throw new Error(`${person.name} is not registered`);
  return found.id;
}

const grantRow = (name: string) =>
  `//tr[@data-testid="grant-row"][.//*[@data-testid="grant-grantee" and contains(., "${name}")]]`;

/** Resolves with the time the grant row of `name` shows `status` in the manage page. */
const rowShows = (manage: Page, name: string, status: string, timeout: number) =>
  manage
    .waitForFunction(
      (xpath, wanted) => {
        const row = document.evaluate(xpath, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null)
          .singleNodeValue as Element | null;
        return row?.querySelector('[data-testid="grant-status"]')?.textContent === wanted;
      },
      { timeout, polling: "mutation" },
      grantRow(name),
      status,
    )
    .then(() => Date.now());

describe("office mode: 企业办税权限 on desktop A, 我的办税权限 on desktop B, live through the database", () => {
  let browserA: Browser;
  let browserB: Browser;
  let clerkPopup: Page;
  let manage: Page;

  it("the clerk logs in through companion B (profile B): 我的办税权限 is empty", async () => {
    expect(b.port).not.toBe(a.port);
    [browserA, browserB] = await Promise.all([launchProfile(a.url), launchProfile(b.url)]);
    clerkPopup = await loginInPopup(browserB, clerk);
    await clerkPopup.waitForSelector('[data-testid="my-grants-empty"]');
    expect(await clerkPopup.$('[data-testid="open-manage"]')).toBeNull();
    expect(await companionUrlOf(clerkPopup)).toBe(b.url);
    // The clerk's pages listen on B: companion A has no socket of theirs to tell.
    expect(a.app.core.hub.listeners(await personId(clerk))).toBe(0);
    await markDocument(clerkPopup);
  });

  it("the legal rep logs in through companion A (profile A) and opens the unit in 企业办税权限", async () => {
    const popup = await loginInPopup(browserA, legalRep);
    expect(await companionUrlOf(popup)).toBe(a.url);
    await popup.waitForSelector('[data-testid="open-manage"]');
    const opened = browserA.waitForTarget((target) => target.url().includes("/manage.html"));
    await popup.click('[data-testid="open-manage"]');
    const page = await (await opened).page();
    if (!page) throw new Error("the manage tab did not open");
    manage = page;
    await manage.setViewport({ width: 1280, height: 800 });
    await popup.close();

    await waitForText(manage, '[data-testid="unit-row"]', "广东QJ4核定4");
    expect(await manage.$eval(`[data-testid="unit-row"][data-tin="${unit.tin}"]`, (el) => el.textContent)).toContain(
      "法定代表人",
    );
    await manage.click(`[data-testid="unit-row"][data-tin="${unit.tin}"] [data-testid="unit-open"]`);
    await waitForText(manage, '[data-testid="unit-info"]', unit.tin);
  });

  it("新增授权 for the clerk on A; the clerk's open popup on B shows it 有效, live", async () => {
    await manage.click('[data-testid="tab-add"]');
    await manage.waitForSelector('[data-testid="grant-form"]');
    await manage.select("#docType", clerk.docType);
    await fill(manage, "#docNumber", clerk.docNumber);
    await fill(manage, "#name", clerk.name);
    await manage.click('input[name="permission"][value="办税权限"]');
    await manage.click('input[name="termType"][value="长期"]');

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
    const shownAt = await seenByClerk.catch((error) =>
      explainTimeout(clerkPopup, "the clerk on B sees the grant", error),
    );
    console.info(`新增授权 on A → 我的办税权限 on B: ${shownAt - clickedAt} ms`);
    expect(shownAt - clickedAt, `shown ${shownAt - clickedAt} ms after 保存授权`).toBeLessThanOrEqual(LIVE_MS);
    // The popup that was open all along (not reopened, not reloaded).
    expect(await sameDocument(clerkPopup)).toBe(true);

    const row = await waitForText(clerkPopup, '[data-testid="my-grant"]', "广东QJ4核定4");
    expect(row).toContain(unit.tin);
    expect(row).toContain("办税权限");
    expect(row).toContain("长期");
    await shot(clerkPopup, "office-popup-my-grants.png");

    await rowShows(manage, "宋晓明", "有效", 15_000).catch((error) =>
      explainTimeout(manage, "the legal rep's table shows the new grant", error),
    );
    await markDocument(manage);
  });

  it("the clerk 解除授权 in the popup on B; the legal rep's table on A shows 已解除(本人), live", async () => {
    await clerkPopup.click(`[data-testid="my-grant"][data-tin="${unit.tin}"] [data-testid="my-grant-renounce"]`);
    await waitForText(clerkPopup, '[data-testid="my-grant-confirm-box"]', "确定解除");
    const seenByRep = rowShows(manage, "宋晓明", "已解除(本人)", 10_000);
    const clickedAt = Date.now();
    await clerkPopup.click('[data-testid="my-grant-confirm"]');
    await waitForText(clerkPopup, '[data-testid="my-grant-status"]', "已解除(本人)");
    const shownAt = await seenByRep.catch((error) =>
      explainTimeout(manage, "the legal rep on A sees 已解除(本人)", error),
    );
    console.info(`解除授权 on B → 企业办税权限 on A: ${shownAt - clickedAt} ms`);
    expect(shownAt - clickedAt, `shown ${shownAt - clickedAt} ms after 解除授权`).toBeLessThanOrEqual(LIVE_MS);
    expect(await sameDocument(manage)).toBe(true);

    // An ended grant offers no 变更 or 解除授权.
    const [ended] = await manage.$$(`::-p-xpath(${grantRow("宋晓明")})`);
    expect(await ended?.$('[data-testid="grant-change"]')).toBeNull();
    expect(await ended?.$('[data-testid="grant-revoke"]')).toBeNull();
    await shot(manage, "office-manage-unit.png");

    // The history, kept in the office's database, has both: the grant made on A, the renouncing on B.
    await manage.click('[data-testid="tab-history"]');
    const history = await waitForText(manage, '[data-testid="history-table"]', "本人解除");
    expect(history).toContain("新增授权");
    await shot(manage, "office-manage-history.png");
  });
});
