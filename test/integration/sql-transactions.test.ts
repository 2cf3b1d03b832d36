import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../companion/db/database.js";
import { numberPlaceholders, openPostgres } from "../../companion/db/postgres.js";
import type { Sql } from "../../companion/db/sql.js";
import { freshPostgresDatabase } from "../support/postgres.js";

/** Where each opened database lives, to open it again. */
const places = new WeakMap<Sql, string>();
const placeOf = (sql: Sql) => places.get(sql) as string;

const engines: Array<[string, () => Promise<{ sql: Sql; done: () => void }>]> = [
  [
    "SQLite",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "taxauth-sql-"));
      const sql = openDatabase(dir);
      places.set(sql, dir);
      return { sql, done: () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    "PostgreSQL",
    async () => {
      const url = await freshPostgresDatabase();
      const sql = await openPostgres(url);
      places.set(sql, url);
      return { sql, done: () => {} };
    },
  ],
];

// What the stores rely on from either engine while other requests run meanwhile: a transaction
// spans awaits, nobody else sees or joins it, and a check and its write are one step.
describe.each(engines)("transactions on %s", (_engine, open) => {
  let sql: Sql;
  let done: () => void;
  const count = async () => (await sql.value<number>("SELECT COUNT(*) FROM t")) ?? 0;

  beforeEach(async () => {
    ({ sql, done } = await open());
    await sql.run("CREATE TABLE t (a INTEGER)");
    await sql.run("CREATE TABLE counter (n INTEGER)");
    await sql.run("INSERT INTO counter VALUES (0)");
  });
  afterEach(async () => {
    await sql.close();
    done();
  });

  it("keeps statements from elsewhere out of an open transaction", async () => {
    let inside!: () => void;
    const opened = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const transaction = sql.transaction(async () => {
      await sql.run("INSERT INTO t VALUES (1)");
      inside();
      await sleep(30);
      throw new Error("roll back");
    });
    await opened;
    // Issued while the transaction is open: neither sees its write nor is undone with it.
    const seen = sql.value<number>("SELECT COUNT(*) FROM t WHERE a = 1");
    const written = sql.run("INSERT INTO t VALUES (2)");
    await expect(transaction).rejects.toThrow("roll back");
    expect(await seen).toBe(0);
    await written;
    expect(await sql.all<{ a: number }>("SELECT a FROM t")).toEqual([{ a: 2 }]);
  });

  it("commits every statement of the transaction together", async () => {
    await sql.transaction(async () => {
      await sql.run("INSERT INTO t VALUES (1)");
      await sleep(5);
      await sql.run("INSERT INTO t VALUES (2)");
    });
    expect(await count()).toBe(2);
  });

  it("undoes only the inner writes when a nested transaction fails", async () => {
    await sql.transaction(async () => {
      await sql.run("INSERT INTO t VALUES (1)");
      await sql
        .transaction(async () => {
          await sql.run("INSERT INTO t VALUES (2)");
          throw new Error("inner");
        })
        .catch(() => undefined);
      expect(sql.inTransaction()).toBe(true);
    });
    expect(await sql.all<{ a: number }>("SELECT a FROM t")).toEqual([{ a: 1 }]);
    expect(sql.inTransaction()).toBe(false);
  });

  it("makes concurrent check-and-increments one step each", async () => {
    const lock = sql.dialect === "postgres" ? " FOR UPDATE" : "";
    await Promise.all(
      Array.from({ length: 25 }, () =>
        sql.transaction(async () => {
          const n = (await sql.value<number>(`SELECT n FROM counter${lock}`)) ?? 0;
          await sleep(1);
          await sql.run("UPDATE counter SET n = ?", [n + 1]);
        }),
      ),
    );
    expect(await sql.value<number>("SELECT n FROM counter")).toBe(25);
  });

  it("takes parameters in order or by name, and reads big numbers as numbers", async () => {
    await sql.run("INSERT INTO t VALUES (?)", [7]);
    await sql.run("INSERT INTO t VALUES (@a)", { a: 8 });
    expect(
      await sql.all<{ a: number }>("SELECT a FROM t WHERE a >= @min AND a <= @min + 1 ORDER BY a", { min: 7 }),
    ).toEqual([{ a: 7 }, { a: 8 }]);
    expect(await sql.one<{ a: number }>("SELECT a FROM t WHERE a = ?", [9])).toBeUndefined();
    expect(await sql.value<number>("SELECT COUNT(*) FROM t")).toBe(2);
  });
});

describe("PostgreSQL placeholders", () => {
  it("numbers ? and @name outside quotes and comments, one name once", () => {
    expect(numberPlaceholders("SELECT '?', @a, x -- @b ?\n, @a, @c").text).toBe("SELECT '?', $1, x -- @b ?\n, $1, $2");
    expect(numberPlaceholders("SELECT ?, ?").text).toBe("SELECT $1, $2");
    expect(() => numberPlaceholders("SELECT ?, @a")).toThrow();
  });
});

describe.each(engines)("opening %s", (engine, open) => {
  it("refuses a database whose schema is newer than this program's", async () => {
    const { sql, done } = await open();
    await sql.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0)");
    const place = placeOf(sql);
    const reopen = engine === "SQLite" ? async () => openDatabase(place) : () => openPostgres(place);
    await sql.close();
    await expect(reopen()).rejects.toThrow("数据库的结构版本 (999) 比本程序支持的");
    done();
  });
});
