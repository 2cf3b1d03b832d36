import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY } from "../../companion/clock.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { api, manualClock, type RunningCompanion, runCli, startCompanion, storeOf } from "../support/companion.js";
import { grantOverApi } from "../support/grants.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

let clock: ReturnType<typeof manualClock>;
let companion: RunningCompanion;
let tin: string;
let rep: TestPerson;
let finance: TestPerson;
let clerk: TestPerson;
let other: TestPerson;

/**
 * A history over three Shanghai days: 11-28 王法人 grants 李办税; 11-29 王法人 changes that grant
 * and grants 赵办税; 11-30 at 23:59:59.999 the finance manager 张财务 revokes 赵办税's grant.
 */
beforeEach(async () => {
  clock = manualClock(Date.parse("2026-11-28T02:00:00Z")); // 2026-11-28 10:00 in Shanghai
  companion = await startCompanion({ clock });
  tin = (await addUnit(companion, { name: "广东QJ4核定4" })).tin;
  rep = await registerPerson(companion, newPerson({ name: "王法人" }));
  finance = await registerPerson(companion, newPerson({ name: "张财务" }));
  clerk = await registerPerson(companion, newPerson({ name: "李办税" }));
  other = await registerPerson(companion, newPerson({ name: "赵办税" }));
  await setOfficer(companion, { tin, role: "法定代表人", person: rep, startDate: "2020-01-01" });
  await setOfficer(companion, { tin, role: "财务负责人", person: finance, startDate: "2020-01-01" });
  const clerkGrant = await grantOverApi(companion, await loginToken(companion, rep), tin, clerk);
  clock.advance(DAY);
  const repToken = await loginToken(companion, rep);
  await api(companion, `/api/units/${tin}/grants/${clerkGrant.body.id}/change`, {
    token: repToken,
    body: { permission: "管理权限", termType: "长期", startDate: "2020-01-01" },
  });
  const otherGrant = await grantOverApi(companion, repToken, tin, other);
  clock.advance(Date.parse("2026-11-30T15:59:59.999Z") - clock.now()); // 11-30 23:59:59.999 in Shanghai
  await api(companion, `/api/units/${tin}/grants/${otherGrant.body.id}/revoke`, {
    token: await loginToken(companion, finance),
    body: {},
  });
  clock.advance(1); // 2026-12-01 00:00 in Shanghai
});
afterEach(() => companion.close());

type Entry = { action: string; grantee: string; actor: { name: string } };
const summary = (items: Entry[]) => items.map((entry) => `${entry.action} ${entry.grantee} by ${entry.actor.name}`);

async function history(query: string, token?: string) {
  return api(companion, `/api/units/${tin}/history?${query}`, { token: token ?? (await loginToken(companion, rep)) });
}

describe("the unit's history, filtered", () => {
  it("by Shanghai calendar dates, inclusive at both ends", async () => {
    const all = await history("");
    expect(all.body.total).toBe(4);
    const day29 = await history("from=2026-11-29&to=2026-11-29");
    expect(summary(day29.body.items)).toEqual(["新增授权 赵办税 by 王法人", "变更 李办税 by 王法人"]);
    expect(day29.body.total).toBe(2);
    // The revoke at 23:59:59.999 is on 11-30, not on 12-01.
    expect((await history("from=2026-11-30")).body.items.map((e: Entry) => e.action)).toEqual(["解除授权"]);
    expect((await history("to=2026-11-30")).body.total).toBe(4);
    expect((await history("from=2026-12-01")).body).toEqual({ items: [], total: 0, nextCursor: null });
    expect((await history("to=2026-11-28")).body.total).toBe(1);
  });

  it("by 操作人, 被授权人 and 操作类型, each alone and combined", async () => {
    expect(summary((await history("actor=张财务")).body.items)).toEqual(["解除授权 赵办税 by 张财务"]);
    expect(summary((await history("grantee=李办税")).body.items)).toEqual([
      "变更 李办税 by 王法人",
      "新增授权 李办税 by 王法人",
    ]);
    const added = await history(`action=${encodeURIComponent("新增授权")}`);
    expect(summary(added.body.items)).toEqual(["新增授权 赵办税 by 王法人", "新增授权 李办税 by 王法人"]);
    const combined = await history(
      `actor=王法人&grantee=赵办税&action=${encodeURIComponent("新增授权")}&from=2026-11-29`,
    );
    expect(summary(combined.body.items)).toEqual(["新增授权 赵办税 by 王法人"]);
    expect(combined.body.total).toBe(1);
    // Names are matched whole: part of one is no filter match (q is the substring search).
    expect((await history("actor=王")).body.total).toBe(0);
    expect((await history("q=王&grantee=赵办税")).body.total).toBe(1);
  });

  it("refuses a date range that ends before it starts, a bad date and an unknown action", async () => {
    const backwards = await history("from=2026-11-30&to=2026-11-29");
    expect(backwards.status).toBe(400);
    expect(backwards.body).toMatchObject({ code: "VALIDATION_FAILED", fields: { to: "结束日期不能早于开始日期" } });
    expect((await history("from=2026-02-30")).body.code).toBe("VALIDATION_FAILED");
    expect((await history("action=删库")).body).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: { action: "操作类型无效" },
    });
  });

  it("pages the filtered rows: each once, newest first, the total of the filter on every page", async () => {
    const token = await loginToken(companion, rep);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Entry[]; total: number; nextCursor: string | null } } = await history(
        `actor=王法人&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        token,
      );
      expect(page.body.total).toBe(3);
      seen.push(...summary(page.body.items));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["新增授权 赵办税 by 王法人", "变更 李办税 by 王法人", "新增授权 李办税 by 王法人"]);
  });

  it("is for the unit's managers only", async () => {
    const refused = await history("actor=王法人", await loginToken(companion, other));
    expect(refused.body.code).toBe("NOT_UNIT_MANAGER");
  });
});

const csvLines = (text: string) =>
  text
    .replace(/^\uFEFF/, "")
    .trimEnd()
    .split("\r\n");

describe("the history as CSV", () => {
  it("streams the filtered rows with a BOM, a title line naming the filter, and a header", async () => {
    const res = await fetch(
      `${companion.url}/api/units/${tin}/history.csv?from=2026-11-29&to=2026-11-30&actor=王法人`,
      {
        headers: { origin: EXTENSION_ORIGIN, authorization: `Bearer ${await loginToken(companion, rep)}` },
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="history-${tin}.csv"; filename*=UTF-8''${encodeURIComponent("变更记录_广东QJ4核定4_2026-12-01.csv")}`,
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csvLines(new TextDecoder().decode(bytes));
    expect(lines[0]).toBe(
      `变更记录,广东QJ4核定4,${tin},筛选 日期 2026-11-29 至 2026-11-30，操作人 王法人,导出时间 2026-12-01 00:00`,
    );
    expect(lines[1]).toBe("时间,操作人,操作人身份,操作类型,被授权人,变更前,变更后");
    expect(lines.slice(2)).toEqual([
      "2026/11/29 10:00:00,王法人,法定代表人,新增授权,赵办税,,权限类型：办税权限；授权期限类型：长期；授权期限起：2020-01-01",
      "2026/11/29 10:00:00,王法人,法定代表人,变更,李办税,权限类型：办税权限；授权期限类型：长期；授权期限起：2020-01-01,权限类型：管理权限；授权期限类型：长期；授权期限起：2020-01-01",
    ]);
  });

  it("refuses a person who does not manage the unit", async () => {
    const res = await api(companion, `/api/units/${tin}/history.csv`, { token: await loginToken(companion, other) });
    expect(res.body.code).toBe("NOT_UNIT_MANAGER");
  });

  it("taxauth audit export writes the same to a file, or to stdout", async () => {
    const out = join(companion.dataDir, "history.csv");
    await runCli(
      ["audit", "export", "--unit", tin, "--from", "2026-11-30", "--to", "2026-11-30", "--out", out],
      storeOf(companion),
    );
    const text = readFileSync(out, "utf8");
    expect(text.startsWith("\uFEFF")).toBe(true);
    const lines = csvLines(text);
    expect(lines[0]).toMatch(new RegExp(`^变更记录,广东QJ4核定4,${tin},筛选 日期 2026-11-30 至 2026-11-30,导出时间 `));
    expect(lines.slice(1)).toEqual([
      "时间,操作人,操作人身份,操作类型,被授权人,变更前,变更后",
      "2026/11/30 23:59:59,张财务,财务负责人,解除授权,赵办税,权限类型：办税权限；授权期限类型：长期；授权期限起：2020-01-01,权限类型：办税权限；授权期限类型：长期；授权期限起：2020-01-01；解除方：单位",
    ]);
    // The file holds people's names: only its owner reads it.
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const printed = csvLines(
      await runCli(["audit", "export", "--unit", tin, "--grantee", "李办税"], storeOf(companion)),
    );
    expect(printed.slice(2).map((line) => line.split(",")[3])).toEqual(["变更", "新增授权"]);
    await expect(
      runCli(["audit", "export", "--unit", tin, "--from", "2026-12-02", "--to", "2026-12-01"], storeOf(companion)),
    ).rejects.toMatchObject({ stderr: expect.stringContaining("结束日期不能早于开始日期") });
  });
});

describe("最近动态", () => {
  it("shows a person their logins and the changes to their grants, newest first, paged", async () => {
    const token = await loginToken(companion, other);
    const seen: Array<{ kind: string; action: string; unit: { name: string } | null; detail: string }> = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: typeof seen; total: number; nextCursor: string | null } } = await api(
        companion,
        `/api/my/events?limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        { token },
      );
      expect(page.body.total).toBe(3);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([
      {
        id: expect.any(String),
        at: "2026-11-30T16:00:00.000Z",
        kind: "登录",
        action: "密码登录",
        unit: null,
        detail: expect.stringContaining("浏览器扩展"),
      },
      expect.objectContaining({
        kind: "授权",
        action: "解除授权",
        unit: { tin, name: "广东QJ4核定4" },
        detail: "张财务（财务负责人）",
      }),
      expect.objectContaining({ kind: "授权", action: "新增授权", detail: "王法人（法定代表人）" }),
    ]);
    // Someone else's events are not among them: 李办税 sees their own two grant changes and no more.
    const clerkEvents = await api(companion, "/api/my/events", { token: await loginToken(companion, clerk) });
    expect(
      clerkEvents.body.items
        .filter((e: { kind: string }) => e.kind === "授权")
        .map((e: { action: string }) => e.action),
    ).toEqual(["变更", "新增授权"]);
    expect((await api(companion, "/api/my/events?q=解除", { token })).body.total).toBe(1);
    expect((await api(companion, "/api/my/events")).body.code).toBe("UNAUTHENTICATED");
  });

  it("keeps its place when a login and a change share a millisecond", async () => {
    // A fresh login, then a change at the same instant (the clock stands still).
    const token = await loginToken(companion, clerk);
    const grantId = (await api(companion, "/api/my/grants", { token })).body.items[0].id;
    await api(companion, `/api/my/grants/${grantId}/renounce`, { token, body: {} });
    const all = await api(companion, "/api/my/events?limit=100", { token });
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await api(
        companion,
        `/api/my/events?limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        { token },
      );
      paged.push(...page.body.items.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.body.items.map((e: { id: string }) => e.id));
    expect(new Set(paged).size).toBe(all.body.total);
    expect(all.body.items.map((e: { action: string; at: string }) => `${e.action} ${e.at}`)).toEqual([
      "密码登录 2026-11-30T16:00:00.000Z",
      "本人解除 2026-11-30T16:00:00.000Z",
      "变更 2026-11-29T02:00:00.000Z",
      "新增授权 2026-11-28T02:00:00.000Z",
    ]);
  });
});
