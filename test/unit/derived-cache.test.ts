import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DB_FILE_NAME, openDatabase } from "../../companion/db/database.js";
import { derivedCache } from "../../companion/db/derived-cache.js";
import type { Sql } from "../../companion/db/sql.js";

describe("derivedCache", () => {
  let dir: string;
  let sql: Sql;
  let other: Database.Database;
  let derivations: number;
  const count = async () => {
    derivations += 1;
    return (await sql.value<number>("SELECT count(*) FROM t")) ?? 0;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "taxauth-cache-"));
    sql = openDatabase(dir);
    await sql.run("CREATE TABLE t (a INTEGER)");
    // A second connection to the same file stands for another process (the hall CLI).
    other = new Database(join(dir, DB_FILE_NAME));
    derivations = 0;
  });
  afterEach(async () => {
    await sql.close();
    other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("derives once while the database does not change", async () => {
    const cache = derivedCache<number>(sql);
    expect(await cache.get("k", count)).toBe(0);
    expect(await cache.get("k", count)).toBe(0);
    expect(derivations).toBe(1);
  });

  it("derives again after a write by this connection", async () => {
    const cache = derivedCache<number>(sql);
    await cache.get("k", count);
    await sql.run("INSERT INTO t VALUES (1)");
    expect(await cache.get("k", count)).toBe(1);
    expect(derivations).toBe(2);
  });

  it("derives again after a commit by another connection", async () => {
    const cache = derivedCache<number>(sql);
    await cache.get("k", count);
    other.exec("INSERT INTO t VALUES (1)");
    expect(await cache.get("k", count)).toBe(1);
    expect(derivations).toBe(2);
  });

  it("keeps nothing derived inside a transaction that may be rolled back", async () => {
    const cache = derivedCache<number>(sql);
    await expect(
      sql.transaction(async () => {
        await sql.run("INSERT INTO t VALUES (1)");
        expect(await cache.get("k", count)).toBe(1);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await cache.get("k", count)).toBe(0);
  });

  it("keeps nothing when deriving wrote to the database", async () => {
    const cache = derivedCache<number>(sql);
    const writing = async () => {
      await sql.run("INSERT INTO t VALUES (1)");
      return count();
    };
    await cache.get("k", writing);
    expect(await cache.get("k", count)).toBe(1);
    expect(derivations).toBe(2);
  });
});
