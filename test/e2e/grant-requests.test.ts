/**
 * End to end, 申请授权 in two real Chromium profiles with the built extension: the clerk (profile B)
 * asks the unit from the popup; the legal rep (profile A) approves it in the manage page's 待审批
 * tab, shortening the term; the clerk's open popup shows the request 已批准 and the grant, live.
 * Needs `npm run build:extension` first; `npm test` does it.
 */
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Unit } from "../../shared/api/grants.js";
import {
  expectAccessible,
  fill,
  type LaunchedBrowser,
  launchBrowser,
  loginInPopup,
  openExtensionPage,
  requireBuiltExtension,
  waitForText,
} from "../support/browser.js";
import { type RunningCompanion, startCompanion } from "../support/companion.js";
import { newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

let companion: RunningCompanion;
const profiles: LaunchedBrowser[] = [];
let unit: Unit;
let legalRep: TestPerson;
let clerk: TestPerson;

beforeAll(async () => {
  requireBuiltExtension();
  companion = await startCompanion({ captcha: "known" });
  legalRep = await registerPerson(companion, newPerson({ name: "李建国" }));
  clerk = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  unit = await addUnit(companion, { name: "广东申请授权单位" });
  await setOfficer(companion, { tin: unit.tin, role: "法定代表人", person: legalRep });
});

afterAll(async () => {
  for (const profile of profiles) await profile.close();
  await companion?.close();
});

describe("申请授权 from the popup, approved in the manage page", () => {
  let clerkPopup: Page;
  let manage: Page;

  it("the clerk asks the unit from 我的办税权限", async () => {
    const [a, b] = await Promise.all([
      launchBrowser({ companionUrl: companion.url }),
      launchBrowser({ companionUrl: companion.url }),
    ]);
    profiles.push(a, b);
    clerkPopup = await loginInPopup(b.browser, clerk);
    // Its own chunk, loaded after 我的办税权限.
    await clerkPopup.waitForSelector('[data-testid="grant-request-open"]');
    await clerkPopup.click('[data-testid="grant-request-open"]');
    await clerkPopup.waitForSelector('[data-testid="grant-request-form"]');
    await fill(clerkPopup, "#request-tin", unit.tin);
    await fill(clerkPopup, "#request-note", "负责每月个税申报");
    await expectAccessible(clerkPopup, "popup: 申请授权");
    await clerkPopup.click('[data-testid="grant-request-submit"]');
    await waitForText(clerkPopup, '[data-testid="grant-request-sent"]', "广东申请授权单位");
    await waitForText(clerkPopup, '[data-testid="my-request-state"]', "待审批");

    await loginInPopup(a.browser, legalRep).then((popup) => popup.close());
    manage = await openExtensionPage(a.browser, `manage.html#unit=${unit.tin}`, 1280, 800);
  });

  it("the legal rep approves it with a 定期 term; the clerk's popup shows 已批准 and the grant live", async () => {
    await waitForText(manage, '[data-testid="tab-pending"]', "待审批（1）");
    await manage.click('[data-testid="tab-pending"]');
    const row = await waitForText(manage, '[data-testid="pending-row"]', "宋晓明");
    expect(row).toContain("负责每月个税申报");
    await expectAccessible(manage, "manage: 待审批");
    await manage.click('[data-testid="pending-approve"]');
    await manage.waitForSelector('[data-testid="approve-dialog"]');
    await manage.click('input[name="approve-termType"][value="定期"]');
    await manage.waitForSelector("#approve-endDate");
    await manage.$eval("#approve-endDate", (el) => {
      const input = el as HTMLInputElement;
      input.value = "2030-12-31";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new FocusEvent("blur"));
    });
    await manage.click('[data-testid="approve-submit"]');
    await waitForText(manage, '[data-testid="unit-notice"]', "已批准宋晓明的申请");
    await manage.waitForSelector('[data-testid="pending-empty"]');
    await waitForText(manage, '[data-testid="tab-pending"]', "待审批");
    expect(await manage.$eval('[data-testid="tab-pending"]', (el) => el.textContent)).toBe("待审批");

    await waitForText(clerkPopup, '[data-testid="my-request-state"]', "已批准", 5_000);
    const grant = await waitForText(clerkPopup, '[data-testid="my-grant"]', "广东申请授权单位", 5_000);
    expect(grant).toContain("办税权限");
    expect(grant).toContain("2030-12-31");
  });
});
