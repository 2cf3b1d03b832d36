import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../companion/db/database.js";
import type { Sql } from "../../companion/db/sql.js";

// The embedded SQLite answers at once, but a transaction spans awaits: these are the guarantees the
// stores rely on when other requests run meanwhile.
describe("SQLite transactions across awaits", () => {
  let dir: string;
  let sql: Sql;
  const count = async () => (await sql.value<number>("SELECT COUNT(*) FROM t")) ?? 0;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "taxauth-sql-"));
    sql = openDatabase(dir);
    await sql.run("CREATE TABLE t (a INTEGER)");
    await sql.run("CREATE TABLE counter (n INTEGER)");
    await sql.run("INSERT INTO counter VALUES (0)");
  });
  afterEach(async () => {
    await sql.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps statements from elsewhere out of an open transaction until it ends", async () => {
    const transaction = sql.transaction(async () => {
      await sql.run("INSERT INTO t VALUES (1)");
      await sleep(20);
      throw new Error("roll back");
    });
    // Issued while the transaction is open: neither sees its write nor joins it.
    const seen = count();
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

  it("runs concurrent check-and-increments one after another", async () => {
    await Promise.all(
      Array.from({ length: 25 }, () =>
        sql.transaction(async () => {
          const n = (await sql.value<number>("SELECT n FROM counter")) ?? 0;
          await sleep(1);
          await sql.run("UPDATE counter SET n = ?", [n + 1]);
        }),
      ),
    );
    expect(await sql.value<number>("SELECT n FROM counter")).toBe(25);
  });

  it("takes parameters in order or by name", async () => {
    await sql.run("INSERT INTO t VALUES (?)", [7]);
    await sql.run("INSERT INTO t VALUES (@a)", { a: 8 });
    expect(await sql.all<{ a: number }>("SELECT a FROM t WHERE a >= @min ORDER BY a", { min: 7 })).toEqual([
      { a: 7 },
      { a: 8 },
    ]);
    expect(await sql.one<{ a: number }>("SELECT a FROM t WHERE a = ?", [9])).toBeUndefined();
  });
});
