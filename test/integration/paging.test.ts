import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DesktopClient, DesktopError } from "../../shared/desktop/client.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { gb32100CheckChar } from "../../shared/identity/tin.js";
import { api, type RunningCompanion, runCli, startCompanion, storeOf } from "../support/companion.js";
import { desktopLoggedIn, pairDesktopClient } from "../support/desktop.js";
import { grantOverApi, seedGrantees } from "../support/grants.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

/** 纳税人识别号 that sort before and after any the tests make. */
const withCheck = (first17: string) => first17 + gb32100CheckChar(first17);
const FIRST_TIN = withCheck("91110000MA0000001");
const LAST_TIN = withCheck("91659999MA9999999");

let companion: RunningCompanion;
let rep: TestPerson;
let repToken: string;

beforeAll(async () => {
  companion = await startCompanion();
  rep = await registerPerson(companion, newPerson({ name: "王法人" }));
  repToken = await loginToken(companion, rep);
});
afterAll(() => companion.close());

/** A unit whose 法定代表人 is the rep. */
async function repUnit(name: string, tin?: string): Promise<string> {
  ({ tin } = await addUnit(companion, { name, ...(tin ? { tin } : {}) }));
  await setOfficer(companion, { tin, role: "法定代表人", person: rep });
  return tin;
}

/** Reads a list page by page (`limit` rows each), calling `between` after each page. */
async function readAll(
  path: string,
  limit: number,
  between: (pageIndex: number) => void | Promise<void> = () => {},
): Promise<{ items: any[]; totals: number[]; pages: number }> {
  const items: any[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const query = `${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const { status, body } = await api(companion, `${path}${query}`, { token: repToken });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.items.length).toBeLessThanOrEqual(limit);
    items.push(...body.items);
    totals.push(body.total);
    cursor = body.nextCursor;
    await between(pages++);
  } while (cursor);
  return { items, totals, pages };
}

describe("paged HTTP lists", () => {
  it("managed units: pages in 纳税人识别号 order, a total, and rows added meanwhile neither repeat nor hide others", async () => {
    const before: string[] = [];
    for (let i = 0; i < 7; i++) before.push(await repUnit(`广东QJ分页${i}`));
    const read = await readAll("/api/units/managed", 3, async (page) => {
      if (page !== 0) return;
      // While the first page is shown: one unit that sorts before it, one after everything.
      await repUnit("广东QJ分页在前", FIRST_TIN);
      await repUnit("广东QJ分页在后", LAST_TIN);
    });
    const tins = read.items.map((unit: { tin: string }) => unit.tin);
    expect(tins).toEqual([...before, LAST_TIN].sort());
    expect(read.totals).toEqual([7, 9, 9]);

    const found = await api(companion, "/api/units/managed?q=分页在后", { token: repToken });
    expect(found.body).toMatchObject({
      total: 1,
      nextCursor: null,
      items: [{ tin: LAST_TIN, name: "广东QJ分页在后" }],
    });
  });

  it("a unit's grants: oldest first, searched by 姓名 or the whole 证件号码 on the companion", async () => {
    const tin = await repUnit("广东QJ授权分页");
    await seedGrantees(
      companion,
      rep,
      tin,
      Array.from({ length: 11 }, (_, i) => `员工${i}`),
    );
    const read = await readAll(`/api/units/${tin}/grants`, 4, async (page) => {
      // A grant made while the manager pages through comes last, on a later page.
      if (page === 0) await seedGrantees(companion, rep, tin, ["新来的"]);
    });
    expect(read.pages).toBe(3);
    expect(read.items.map((g: { grantee: { name: string } }) => g.grantee.name).at(-1)).toBe("新来的");
    expect(new Set(read.items.map((g: { id: string }) => g.id)).size).toBe(12);
    expect(read.totals).toEqual([11, 12, 12]);

    const byName = await api(companion, `/api/units/${tin}/grants?q=员工1`, { token: repToken });
    // 员工1 and 员工10.
    expect(byName.body.total).toBe(2);
    const detail = await api(companion, `/api/units/${tin}`, { token: repToken });
    expect(detail.body).toMatchObject({ grantTotal: 12, reviewCount: 0 });
  });

  it("the history: newest first, and entries made meanwhile go on top, not into the next page", async () => {
    const tin = await repUnit("广东QJ记录分页");
    const clerk = await registerPerson(companion, newPerson({ name: "宋晓明" }));
    const made = await grantOverApi(companion, repToken, tin, clerk);
    const change = (startDate: string) =>
      api(companion, `/api/units/${tin}/grants/${made.body.id}/change`, {
        token: repToken,
        body: { permission: "办税权限", termType: "长期", startDate },
      });
    for (const day of ["02", "03", "04", "05"]) await change(`2020-01-${day}`);
    const read = await readAll(`/api/units/${tin}/history`, 2, async (page) => {
      if (page === 0) await change("2020-01-06");
    });
    const seqs = read.items.map((entry: { seq: number }) => entry.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(read.items).toHaveLength(5);
    expect(read.items.at(-1).action).toBe("新增授权");
    const latest = await api(companion, `/api/units/${tin}/history?limit=1`, { token: repToken });
    expect(latest.body.total).toBe(6);
    expect(latest.body.items[0].after.startDate).toBe("2020-01-06");
  });

  it("我的办税权限 pages keep the badge and the manager flag of the whole list", async () => {
    const clerk = await registerPerson(companion, newPerson({ name: "李四" }));
    const token = await loginToken(companion, clerk);
    for (let i = 0; i < 3; i++) {
      await grantOverApi(companion, repToken, await repUnit(`广东QJ我的${i}`), clerk, {
        termType: "定期",
        endDate: "2099-12-31",
      });
    }
    const first = await api(companion, "/api/my/grants?limit=2", { token });
    expect(first.body).toMatchObject({ total: 3, managesUnits: false, endingSoon: 0 });
    expect(first.body.items).toHaveLength(2);
    const second = await api(companion, `/api/my/grants?limit=2&cursor=${first.body.nextCursor}`, { token });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const searched = await api(companion, "/api/my/grants?q=我的1", { token });
    expect(searched.body.items.map((g: { unit: { name: string } }) => g.unit.name)).toEqual(["广东QJ我的1"]);
  });

  it("refuses a cursor it did not give, and a page size outside 1–500, in Chinese", async () => {
    const tin = await repUnit("广东QJ坏分页");
    const refused = async (query: string) =>
      (await api(companion, `/api/units/${tin}/grants?${query}`, { token: repToken })).body;
    expect(await refused("cursor=bm90LWEtY3Vyc29y")).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: { cursor: "分页位置无效，请从第一页重新查询" },
    });
    // A cursor of another list (the history's is one number) is refused too, not misread.
    const history = await api(companion, `/api/units/${tin}/history?limit=1`, { token: repToken });
    expect(history.status).toBe(200);
    expect((await refused(`cursor=${Buffer.from("[5]").toString("base64url")}`)).code).toBe("VALIDATION_FAILED");
    expect(await refused("limit=501")).toMatchObject({ code: "VALIDATION_FAILED", fields: { limit: "每页最多500条" } });
    expect(await refused("limit=0")).toMatchObject({ code: "VALIDATION_FAILED", fields: { limit: "每页至少1条" } });
    expect((await refused(`q=${"长".repeat(65)}`)).fields.q).toBe("查询内容不能超过64个字符");
  });

  it("the CSV export streams every grant, past the largest page", async () => {
    const tin = await repUnit("广东QJ导出");
    await seedGrantees(
      companion,
      rep,
      tin,
      Array.from({ length: 620 }, (_, i) => `导出${i}`),
    );
    const response = await fetch(`${companion.url}/api/units/${tin}/grants.csv`, {
      headers: { origin: EXTENSION_ORIGIN, authorization: `Bearer ${repToken}` },
    });
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    // UTF-8 with a BOM, so spreadsheet programs read the Chinese.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString("utf8").trimEnd().split("\r\n");
    expect(lines[1]).toBe("被授权人,证件类型,证件号码,权限类型,授权期限类型,授权期限起,授权期限止,状态,授权人,需复核");
    expect(lines).toHaveLength(622);
    expect(new Set(lines.slice(2)).size).toBe(620);
  });
});

describe("单位管理 on the desktop socket", () => {
  let desk: DesktopClient;
  let tins: string[];

  beforeAll(async () => {
    const clerk = await registerPerson(companion, newPerson({ name: "赵敏" }));
    const pairing = await pairDesktopClient(companion, await loginToken(companion, clerk));
    pairing.client.close();
    desk = await desktopLoggedIn(companion, pairing.clientToken, clerk);
    tins = [];
    for (let i = 0; i < 6; i++) {
      const { tin } = await addUnit(companion, {
        name: `广东QJ桌面${i}`,
        comprehensiveIncome: i % 2 ? "已申报" : "待申报",
      });
      tins.push(tin);
      expect((await desk.request("units.add", { tin })).position).toBe(i + 1);
    }
  });
  afterAll(() => desk.close());

  const order = async () => {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await desk.request("units.list", { limit: 4, ...(cursor ? { cursor } : {}) });
      names.push(...page.items.map((unit) => unit.name.replace("广东QJ桌面", "")));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return names.join("");
  };

  it("pages in the person's order; the totals line stays the whole list's under a search", async () => {
    const first = await desk.request("units.list", { limit: 4 });
    expect(first).toMatchObject({ total: 6, totals: { count: 6, comprehensiveFiled: 3, businessFiled: 0 } });
    expect(first.items).toHaveLength(4);
    expect(await order()).toBe("012345");
    const searched = await desk.request("units.list", { q: "桌面4" });
    expect(searched).toMatchObject({ total: 1, nextCursor: null, totals: { count: 6, comprehensiveFiled: 3 } });
    // The list's totals follow a unit's filing status, changed by the hall.
    expect((await desk.request("units.list", {})).totals.comprehensiveFiled).toBe(3);
    await companion.app.core.units.saveUnit({ ...searched.items[0]!, comprehensiveIncome: "已申报" });
    expect((await desk.request("units.list", {})).totals.comprehensiveFiled).toBe(4);
  });

  it("shows what the hall changes from another process, within a second or so", async () => {
    const before = await desk.request("units.list", {});
    const renamed = before.items[0]!;
    await runCli(["hall", "unit", "add", "--tin", renamed.tin, "--name", "广东QJ桌面改名"], {
      ...storeOf(companion),
    });
    let names: string[] = [];
    for (let i = 0; i < 60 && !names.includes("广东QJ桌面改名"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      names = (await desk.request("units.list", {})).items.map((unit) => unit.name);
    }
    expect(names[0]).toBe("广东QJ桌面改名");
    // Back as it was, for the tests below.
    await companion.app.core.units.saveUnit({ ...renamed, name: renamed.name });
  });

  it("moves one row: ▲, ▼, to a position, and at the ends nothing changes", async () => {
    expect(await desk.request("units.order", { tin: tins[3]!, to: "up" })).toEqual({ tin: tins[3], position: 3 });
    expect(await order()).toBe("013245");
    expect((await desk.request("units.order", { tin: tins[0]!, to: "up" })).position).toBe(1);
    expect((await desk.request("units.order", { tin: tins[5]!, to: "down" })).position).toBe(6);
    expect((await desk.request("units.order", { tin: tins[5]!, to: 1 })).position).toBe(1);
    expect(await order()).toBe("501324");
    expect((await desk.request("units.order", { tin: tins[5]!, to: 99 })).position).toBe(6);
    expect(await order()).toBe("013245");
    const refusal = await desk.request("units.order", { tin: tins[0]!, to: 0 }).catch((e: DesktopError) => e.body);
    expect(refusal).toMatchObject({ code: "VALIDATION_FAILED", fields: { to: "位置从1开始" } });
  });

  it("keeps the order through many moves into the same gap (the positions are spread out again)", async () => {
    // Each move halves the gap between positions 1 and 2; sixty of them exhaust a double's precision.
    for (let i = 0; i < 60; i++) {
      const tin = tins[i % 2 === 0 ? 4 : 2]!;
      expect((await desk.request("units.order", { tin, to: 2 })).position).toBe(2);
      // Within the socket's rate limit (20 requests a second).
      await new Promise((resolve) => setTimeout(resolve, 55));
    }
    expect(await order()).toBe("024135");
  });
});
