/**
 * End to end, 生僻字录入 in a real Chromium with the built extension: on the register page the
 * person's name 张𠮷 (U+20BB7, Ext B) is entered with 【录入生僻字】 (radical 口, 3 strokes, the
 * character, 确定), replacing the selected 晓 of 张晓; the picker is also driven by keyboard alone
 * and closed with Escape; the companion stores the name exactly and the pages show it back.
 * Needs `npm run build:extension` first; `npm test` does it.
 */
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRareCharIndex } from "../../shared/rare-chars/lookup.js";
import {
  expectAccessible,
  fill,
  fillAccountStep,
  type LaunchedBrowser,
  launchBrowser,
  loginInPopup,
  openExtensionPage,
  requireBuiltExtension,
  shot,
  textOf,
  waitForText,
} from "../support/browser.js";
import { lastSmsCode, type RunningCompanion, startCompanion } from "../support/companion.js";
import { newPerson } from "../support/people.js";

const RARE = "\u{20BB7}"; // 𠮷: radical 30 口, 3 more strokes
const person = newPerson({ name: `张${RARE}` });

let companion: RunningCompanion;
let launched: LaunchedBrowser;
let browser: Browser;
let page: Page;

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

const dialog = '[data-testid="rare-char-dialog"]';

/** The name input's value, whether it has the focus, and its caret. */
const nameState = () =>
  page.$eval("#name", (el) => {
    const input = el as HTMLInputElement;
    return { value: input.value, focused: document.activeElement === input, caret: input.selectionStart };
  });

const focusedTestId = () => page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? null);

async function selectInName(start: number, end: number): Promise<void> {
  await page.$eval(
    "#name",
    (el, from, to) => {
      const input = el as HTMLInputElement;
      input.focus();
      input.setSelectionRange(from, to);
    },
    start,
    end,
  );
}

describe("生僻字录入 on the register page", () => {
  it("opens the register page, the hall code issued for 张𠮷", async () => {
    page = await openExtensionPage(browser, "register.html", 1100, 860);
    await page.click("#agree");
    await page.click('[data-testid="agreement-next"]');
    const { code } = await companion.app.core.registrationCodes.issue(person);
    await fill(page, "#registrationCode", code);
    await fill(page, "#docNumber", person.docNumber);
    await fill(page, "#name", "张晓");
    expect(await textOf(page, '[data-testid="rare-char-open"]')).toBe("【录入生僻字】");
  });

  it("works by keyboard alone: Enter on a radical, arrows, Tab to 确定; Escape closes", async () => {
    const index = await loadRareCharIndex();
    const expected = String.fromCodePoint(index.lookup("1", 1)[1]!); // 一 + 1 stroke, the second character
    await selectInName(2, 2); // caret at the end
    await page.focus('[data-testid="rare-char-open"]');
    await page.keyboard.press("Enter");
    await page.waitForSelector('[data-testid="rare-char-radical"]');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("一");
    await page.keyboard.press("Enter"); // radical 一
    await page.waitForSelector('[data-testid="rare-char-strokes-item"]');
    expect(await focusedTestId()).toBe("rare-char-strokes-item");
    await page.keyboard.press("ArrowDown"); // 0画 → 1画
    await page.keyboard.press("Enter");
    await page.waitForSelector('[data-testid="rare-char"]');
    await page.keyboard.press("Tab"); // into the characters
    expect(await focusedTestId()).toBe("rare-char");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Enter");
    expect(await textOf(page, '[data-testid="rare-char-chosen"]')).toContain(expected);
    await page.keyboard.press("Tab"); // 取消
    await page.keyboard.press("Tab"); // 确定
    expect(await focusedTestId()).toBe("rare-char-confirm");
    await page.keyboard.press("Enter");
    await page.waitForSelector(dialog, { hidden: true });
    expect(await nameState()).toEqual({ value: `张晓${expected}`, focused: true, caret: 2 + expected.length });

    // Escape: nothing inserted, the focus and caret back in the name.
    await selectInName(1, 1);
    await page.click('[data-testid="rare-char-open"]');
    await page.waitForSelector('[data-testid="rare-char-radical"]');
    await page.keyboard.press("Escape");
    await page.waitForSelector(dialog, { hidden: true });
    expect(await nameState()).toEqual({ value: `张晓${expected}`, focused: true, caret: 1 });
    await fill(page, "#name", "张晓");
  });

  it("replaces the selected 晓 with 𠮷: radical 口 (3画), 3 strokes, the character, 确定", async () => {
    await selectInName(1, 2);
    await page.click('[data-testid="rare-char-open"]');
    await page.waitForSelector('[data-testid="rare-char-radical"]');
    // Radicals by their own stroke count: 口 in the 3画 row, the simplified 纟 with it, 糸 in 6画.
    const rows = await page.$$eval(".rare-radical-row", (els) =>
      els.map((el) => ({
        strokes: el.querySelector(".rare-radical-strokes")?.textContent,
        radicals: [...el.querySelectorAll("button")].map((b) => b.textContent).join(""),
      })),
    );
    expect(rows[0]).toEqual({ strokes: "1画", radicals: "一丨丶丿乙亅" });
    expect(rows.find((r) => r.strokes === "3画")?.radicals).toMatch(/口.*纟/);
    expect(rows.find((r) => r.strokes === "6画")?.radicals).toContain("糸");
    await shot(page, "rare-char-radicals.png");
    await expectAccessible(page, "register: 生僻字 radicals");
    // 十 with 14 more strokes: U+2D16A (Ext F), U+31452 and U+31453 (Ext H). No Debian font draws
    // U+31452: it comes after the drawn ones, shown (and titled) by its code point.
    await page.click('[data-testid="rare-char-radical"][data-key="24"]');
    await page.click('[data-testid="rare-char-strokes-item"][data-strokes="14"]');
    await waitForText(page, '[data-testid="rare-char"]', "31452");
    const cells = () =>
      page.$$eval('[data-testid="rare-char"]', (els) =>
        els.map((el) => ({
          code: el.getAttribute("data-code-point") ?? "",
          drawn: el.getAttribute("data-drawable") === "true",
          text: el.textContent,
          title: el.getAttribute("title") ?? "",
        })),
      );
    const ten = await cells();
    expect(ten.map((c) => [c.code, c.drawn])).toEqual([
      ["U+2D16A", true],
      ["U+31453", true],
      ["U+31452", false],
    ]);
    expect(ten[2]).toMatchObject({ text: "31452" });
    expect(ten[2]?.title).toContain("U+31452");

    await page.click('[data-testid="rare-char-change-radical"]');
    await page.click('[data-testid="rare-char-radical"][data-key="30"]');
    expect(await textOf(page, '[data-testid="rare-char-radical-chosen"]')).toBe("部首：口（3画）");
    await page.click('[data-testid="rare-char-strokes-item"][data-strokes="3"]');

    const cell = `[data-testid="rare-char"][data-code-point="U+20BB7"]`;
    await page.waitForSelector(cell);
    expect(await page.$eval(cell, (el) => [el.getAttribute("title"), el.textContent])).toEqual(["U+20BB7", RARE]);
    // With the fonts the bootstrap installs, every one of these 86 (Ext A, B, …) is drawn.
    const mouth = await cells();
    expect(mouth).toHaveLength(86);
    expect(mouth.filter((c) => !c.drawn)).toEqual([]);
    await page.click(cell);
    expect(await textOf(page, '[data-testid="rare-char-chosen"]')).toBe(`已选：${RARE}U+20BB7`);
    await shot(page, "rare-char-characters.png");
    await expectAccessible(page, "register: 生僻字 characters");
    await page.click('[data-testid="rare-char-confirm"]');
    await page.waitForSelector(dialog, { hidden: true });
    expect(await nameState()).toEqual({ value: person.name, focused: true, caret: 3 });
    // The live check agrees (it once refused a name ending outside the BMP, see checkPersonName).
    await page.$eval("#name", (el) => el.dispatchEvent(new FocusEvent("blur")));
    expect(await page.$('[data-testid="name-error"]')).toBeNull();
  });

  it("registers: the companion stores 张𠮷 exactly, and the pages show it back", async () => {
    await page.click('[data-testid="identity-next"]');
    await fillAccountStep(page, person, (phone) => lastSmsCode(companion.dataDir, phone));
    await textOf(page, '[data-testid="register-done"]');
    expect(await textOf(page, '[data-testid="register-done"] dd')).toBe(`*${RARE}`);

    const stored = await companion.app.core.people.byLoginName(person.loginName);
    expect(stored?.name).toBe(`张${RARE}`);
    expect([...(stored?.name ?? "")]).toHaveLength(2);
    await page.close();

    const popup = await loginInPopup(browser, person); // waits for the popup to show *𠮷
    expect(await textOf(popup, '[data-testid="person-name"]')).toContain(`*${RARE}`);
    await popup.close();
  });
});
