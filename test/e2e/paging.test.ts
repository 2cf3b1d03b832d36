/**
 * End to end, a unit with more grantees than a page in a real Chromium with the built extension:
 * the manage page shows the first 50 with 已显示 n 条，共 m 条, 【加载更多】 reads the next page, and
 * 查询 is answered by the companion (a name, a whole 证件号码, nothing found).
 */
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectAccessible,
  extensionUrl,
  type LaunchedBrowser,
  launchBrowser,
  loginInPopup,
  requireBuiltExtension,
  shot,
  waitForText,
} from "../support/browser.js";
import { type RunningCompanion, startCompanion } from "../support/companion.js";
import { seedGrantees } from "../support/grants.js";
import { newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

/** 员工 and the number in Chinese numerals: valid names (no digits), each different. */
const nameOf = (i: number) => `员工${[...String(i)].map((digit) => "零一二三四五六七八九"[Number(digit)]).join("")}`;
const GRANTEES = 72;

let companion: RunningCompanion;
let launched: LaunchedBrowser;
let browser: Browser;
let manage: Page;
let rep: TestPerson;
let tin: string;

const rowCount = () => manage.$$eval('[data-testid="grant-row"]', (rows) => rows.length);

beforeAll(async () => {
  requireBuiltExtension();
  companion = await startCompanion();
  rep = await registerPerson(companion, newPerson({ name: "李建国" }));
  tin = (await addUnit(companion, { name: "广东QJ大单位" })).tin;
  await setOfficer(companion, { tin, role: "法定代表人", person: rep });
  await seedGrantees(
    companion,
    rep,
    tin,
    Array.from({ length: GRANTEES }, (_, i) => nameOf(i)),
  );
  launched = await launchBrowser({ companionUrl: companion.url });
  browser = launched.browser;
  await loginInPopup(browser, rep);
  manage = await browser.newPage();
  await manage.setViewport({ width: 1280, height: 900 });
  await manage.goto(extensionUrl(`manage.html#unit=${tin}`));
});
afterAll(async () => {
  await launched?.close();
  await companion?.close();
});

describe("a unit's grants, a page at a time", () => {
  it("shows the first 50 and how many there are; 加载更多 reads the rest", async () => {
    await manage.waitForSelector('[data-testid="grant-row"]');
    expect(await rowCount()).toBe(50);
    expect(await waitForText(manage, '[data-testid="grant-table-more-count"]', "共 72 条")).toBe(
      "已显示 50 条，共 72 条",
    );
    expect(await waitForText(manage, '[data-testid="tab-granted"]', "72")).toContain("已授权（72）");
    await manage.click('[data-testid="grant-table-more-more"]');
    await manage.waitForFunction(() => document.querySelectorAll('[data-testid="grant-row"]').length === 72);
    expect(await waitForText(manage, '[data-testid="grant-table-more-count"]', "已显示 72")).toBe(
      "已显示 72 条，共 72 条",
    );
    // The last page: no more to load.
    expect(await manage.$('[data-testid="grant-table-more-more"]')).toBeNull();
    await shot(manage, "manage-paged-grants.png");
    await expectAccessible(manage, "manage: paged grants");
  });

  it("查询 by part of a name is answered by the companion, and says when nothing matches", async () => {
    await manage.type("#grantQuery", "员工七");
    await manage.click('[data-testid="grant-search"]');
    // 员工七 and 员工七零 … 员工七一: three of them.
    await manage.waitForFunction(() => document.querySelectorAll('[data-testid="grant-row"]').length === 3);
    expect(await waitForText(manage, '[data-testid="grant-table-more-count"]', "共 3 条")).toBe("已显示 3 条，共 3 条");
    await manage.click("#grantQuery", { count: 3 });
    await manage.keyboard.press("Backspace");
    await manage.type("#grantQuery", "没有这个人");
    await manage.click('[data-testid="grant-search"]');
    expect(await waitForText(manage, '[data-testid="grant-table-no-match"]', "没有这个人")).toBe(
      "未找到与“没有这个人”相符的授权。",
    );
    await expectAccessible(manage, "manage: grant search without a match");
  });
});
