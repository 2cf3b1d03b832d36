import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tokenDigest } from "../../companion/security/secrets.js";
import type { DesktopClient } from "../../shared/desktop/client.js";
import { gb32100CheckChar } from "../../shared/identity/tin.js";
import { api, type RunningCompanion, startCompanion } from "../support/companion.js";
import { desktopLoggedIn, pairDesktopClient } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit } from "../support/units.js";

/**
 * 单位管理's two orders: ▲ ▼ (自定义排序) reorder the list for the login that moves, and
 * 设定为默认排序 saves that order as the one each new login starts from — across logins of the
 * same person, on both stores.
 */

let companion: RunningCompanion;
let clerk: TestPerson;
let clientToken: string;
let tins: string[];
const open: DesktopClient[] = [];

beforeAll(async () => {
  companion = await startCompanion();
});
afterAll(() => companion.close());

beforeEach(async () => {
  clerk = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  const pairing = await pairDesktopClient(companion, await loginToken(companion, clerk));
  clientToken = pairing.clientToken;
  pairing.client.close();
  tins = [];
  const first = await login();
  for (let i = 0; i < 5; i++) {
    const { tin } = await addUnit(companion, { name: `广东QJ排序${i}` });
    tins.push(tin);
    await first.request("units.add", { tin });
  }
  first.close();
});
afterEach(() => {
  for (const client of open.splice(0)) client.close();
});

/** A new login of the clerk: a connection of the paired client, logged in. */
async function login(): Promise<DesktopClient> {
  const client = await desktopLoggedIn(companion, clientToken, clerk);
  open.push(client);
  return client;
}

/** The login's whole list read `limit` rows a page, as the digits of the units' names ("01234"). */
async function order(client: DesktopClient, limit = 2, q?: string): Promise<string> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.request("units.list", { limit, ...(cursor ? { cursor } : {}), ...(q ? { q } : {}) });
    names.push(...page.items.map((unit) => unit.name.replace("广东QJ排序", "")));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return names.join("");
}

/** Rows of the clerk's logins' own orders in the database. */
const ownOrderRows = async () =>
  Number(
    await companion.app.core.sql.value<number>(
      `SELECT COUNT(*) FROM desktop_session_unit_orders o JOIN sessions s ON s.token_hash = o.session_hash
       JOIN people p ON p.id = s.person_id WHERE p.login_name = ?`,
      [clerk.loginName],
    ),
  );

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await check()).toBe(true);
}

describe("自定义排序 and 设定为默认排序", () => {
  it("▲ ▼ reorder this login only: another login and the next one start from the saved default", async () => {
    const first = await login();
    const other = await login();
    // Both logins' first pages are read (and kept) before the move.
    expect(await order(first, 50)).toBe("01234");
    expect(await order(other, 50)).toBe("01234");
    expect(await first.request("units.order", { tin: tins[3]!, to: "up" })).toEqual({ tin: tins[3], position: 3 });
    expect(await first.request("units.order", { tin: tins[4]!, to: 1 })).toEqual({ tin: tins[4], position: 1 });
    expect(await order(first, 50)).toBe("40132");
    expect(await order(first)).toBe("40132");
    expect(await order(other, 50)).toBe("01234");
    expect(await order(other)).toBe("01234");

    first.close();
    const next = await login();
    expect(await order(next)).toBe("01234");
  });

  it("设定为默认排序 saves the login's order for every new login; 恢复默认排序 goes back to it", async () => {
    const first = await login();
    await first.request("units.order", { tin: tins[0]!, to: "down" });
    await first.request("units.order", { tin: tins[4]!, to: 2 });
    expect(await order(first)).toBe("14023");
    expect(await first.request("units.order.save", {})).toEqual({});
    first.close();

    const second = await login();
    expect(await order(second)).toBe("14023");
    await second.request("units.order", { tin: tins[3]!, to: 1 });
    expect(await order(second)).toBe("31402");
    const third = await login();
    expect(await order(third)).toBe("14023");
    expect(await second.request("units.order.reset", {})).toEqual({});
    expect(await order(second)).toBe("14023");
    // Nothing of its own to save or drop: the saved default stays as it is.
    expect(await second.request("units.order.save", {})).toEqual({});
    expect(await second.request("units.order.reset", {})).toEqual({});
    second.close();
    expect(await order(await login())).toBe("14023");
  });

  it("a login's own order holds while another login saves a new default", async () => {
    const mine = await login();
    await mine.request("units.order", { tin: tins[2]!, to: 1 });
    const theirs = await login();
    await theirs.request("units.order", { tin: tins[4]!, to: 1 });
    await theirs.request("units.order.save", {});
    expect(await order(mine)).toBe("20134");
    expect(await order(theirs)).toBe("40123");
    expect(await order(await login())).toBe("40123");
  });

  it("添加 goes to the end of the login's own order and of the saved default; 查询 reads the login's order", async () => {
    const first = await login();
    await first.request("units.order", { tin: tins[4]!, to: 1 });
    const { tin } = await addUnit(companion, { name: "广东QJ排序5" });
    expect(await first.request("units.add", { tin })).toMatchObject({ tin, position: 6 });
    expect(await order(first)).toBe("401235");
    const page = await first.request("units.list", { q: "排序", limit: 3 });
    expect(page).toMatchObject({ total: 6, totals: { count: 6 } });
    expect(await order(first, 4, "排序")).toBe("401235");
    expect(await order(await login())).toBe("012345");
  });

  it("a login's own order goes when it ends; one left behind goes at the person's next first move", async () => {
    expect(await ownOrderRows()).toBe(0);
    const first = await login();
    await first.request("units.order", { tin: tins[1]!, to: "up" });
    expect(await ownOrderRows()).toBe(5);
    await first.request("logout", {});
    await eventually(async () => (await ownOrderRows()) === 0);

    const second = await login();
    await second.request("units.order", { tin: tins[1]!, to: "up" });
    expect(await ownOrderRows()).toBe(5);
    second.close();
    await eventually(async () => (await ownOrderRows()) === 0);

    // A login whose companion stopped before dropping its order (the browser's login stands in for it).
    const token = await loginToken(companion, clerk);
    await companion.app.core.sql.run(
      `INSERT INTO desktop_session_unit_orders (session_hash, unit_tin, position)
       SELECT ?, unit_tin, position FROM desktop_unit_lists WHERE person_id = (SELECT id FROM people WHERE login_name = ?)`,
      [tokenDigest(token), clerk.loginName],
    );
    await api(companion, "/api/logout", { token, body: {} });
    expect(await ownOrderRows()).toBe(5);
    const third = await login();
    await third.request("units.order", { tin: tins[2]!, to: "down" });
    expect(await ownOrderRows()).toBe(5);
    expect(await order(third)).toBe("01324");
  });

  it("a long list is copied, saved and dropped whole (the companion does it a slice at a time)", async () => {
    const core = companion.app.core;
    const personId = (await core.people.byLoginName(clerk.loginName))?.id as string;
    // 深圳 numbers, apart from the tests' other units (广州).
    const many = Array.from({ length: 2_345 }, (_, i) => {
      const first17 = `91440300MA${String(1_000_000 + i).padStart(7, "0")}`;
      return first17 + gb32100CheckChar(first17);
    });
    await core.sql.transaction(async () => {
      for (const [i, tin] of many.entries()) {
        await core.units.saveUnit({
          tin,
          name: `广东QJ长列表${i}`,
          departments: [],
          departmentFiling: "未备案",
          comprehensiveIncome: "待申报",
          businessIncome: "",
        });
        await core.sql.run("INSERT INTO desktop_unit_lists (person_id, unit_tin, position) VALUES (?, ?, ?)", [
          personId,
          tin,
          10 + i,
        ]);
      }
    });
    const total = tins.length + many.length;
    const first = await login();
    expect(await first.request("units.order", { tin: many.at(-1)!, to: 1 })).toMatchObject({ position: 1 });
    expect(await ownOrderRows()).toBe(total);
    expect(await first.request("units.order", { tin: tins[0]!, to: total })).toMatchObject({ position: total });
    await first.request("units.order.save", {});
    first.close();
    await eventually(async () => (await ownOrderRows()) === 0);

    const next = await login();
    const read: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await next.request("units.list", { limit: 500, ...(cursor ? { cursor } : {}) });
      read.push(...page.items.map((unit) => unit.tin));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(read).toEqual([many.at(-1), ...tins.slice(1), ...many.slice(0, -1), tins[0]]);
  });
});
