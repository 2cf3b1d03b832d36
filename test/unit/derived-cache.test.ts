import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { derivedCache } from "../../companion/db/derived-cache.js";

describe("derivedCache", () => {
  let dir: string;
  let db: Database.Database;
  let other: Database.Database;
  let derivations: number;
  const count = () => {
    derivations += 1;
    return db.prepare("SELECT count(*) FROM t").pluck().get() as number;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "taxauth-cache-"));
    db = new Database(join(dir, "db.sqlite"));
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE t (a INTEGER)");
    // A second connection to the same file stands for another process (the hall CLI).
    other = new Database(join(dir, "db.sqlite"));
    derivations = 0;
  });
  afterEach(() => {
    db.close();
    other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("derives once while the database does not change", () => {
    const cache = derivedCache<number>(db);
    expect(cache.get("k", count)).toBe(0);
    expect(cache.get("k", count)).toBe(0);
    expect(derivations).toBe(1);
  });

  it("derives again after a write by this connection", () => {
    const cache = derivedCache<number>(db);
    cache.get("k", count);
    db.exec("INSERT INTO t VALUES (1)");
    expect(cache.get("k", count)).toBe(1);
    expect(derivations).toBe(2);
  });

  it("derives again after a commit by another connection", () => {
    const cache = derivedCache<number>(db);
    cache.get("k", count);
    other.exec("INSERT INTO t VALUES (1)");
    expect(cache.get("k", count)).toBe(1);
    expect(derivations).toBe(2);
  });

  it("keeps nothing derived inside a transaction that may be rolled back", () => {
    const cache = derivedCache<number>(db);
    try {
      db.transaction(() => {
        db.exec("INSERT INTO t VALUES (1)");
        expect(cache.get("k", count)).toBe(1);
        throw new Error("roll back");
      })();
    } catch {}
    expect(cache.get("k", count)).toBe(0);
  });

  it("keeps nothing when deriving wrote to the database", () => {
    const cache = derivedCache<number>(db);
    const writing = () => {
      db.exec("INSERT INTO t VALUES (1)");
      return count();
    };
    cache.get("k", writing);
    expect(cache.get("k", count)).toBe(1);
    expect(derivations).toBe(2);
  });
});
