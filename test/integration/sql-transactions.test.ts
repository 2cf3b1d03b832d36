import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../companion/db/database.js";
import { numberPlaceholders, openPostgres } from "../../companion/db/postgres.js";
import type { Notices, Sql } from "../../companion/db/sql.js";
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

  it("runs what waits for the commit after it, and never for work rolled back", async () => {
    const told: string[] = [];
    const committedRows: number[] = [];
    await sql.transaction(async () => {
      await sql.run("INSERT INTO t VALUES (1)");
      sql.afterCommit(() => told.push("outer"));
      await sql
        .transaction(async () => {
          sql.afterCommit(() => told.push("inner, rolled back"));
          throw new Error("inner");
        })
        .catch(() => undefined);
      await sql.transaction(async () => {
        sql.afterCommit(() => {
          told.push("inner, kept");
          // Told once the writes are there for everybody: another connection reads them.
          void sql.value<number>("SELECT COUNT(*) FROM t").then((n) => committedRows.push(n ?? 0));
        });
      });
      expect(told).toEqual([]);
    });
    expect(told).toEqual(["outer", "inner, kept"]);
    await expect(
      sql.transaction(async () => {
        sql.afterCommit(() => told.push("rolled back"));
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    sql.afterCommit(() => told.push("no transaction: at once"));
    expect(told).toEqual(["outer", "inner, kept", "no transaction: at once"]);
    await sleep(20);
    expect(committedRows).toEqual([1]);
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

describe("notices between processes on one database", () => {
  let url: string;
  let sender: Sql;
  let receiver: Sql;
  let stops: Array<() => Promise<void>>;
  beforeEach(async () => {
    url = await freshPostgresDatabase();
    [sender, receiver] = await Promise.all([openPostgres(url), openPostgres(url)]);
    stops = [];
  });
  afterEach(async () => {
    for (const stop of stops) await stop();
    await Promise.all([sender.close(), receiver.close()]);
  });

  /** Every notice `sql` hears on channel c, and each time it was back after losing its connection. */
  async function hear(sql: Sql) {
    const heard: string[] = [];
    let reconnects = 0;
    stops.push(
      await (sql.notices as Notices).listen("c", {
        notified: (payload) => heard.push(payload),
        reconnected: () => {
          reconnects += 1;
        },
      }),
    );
    return { heard, reconnects: () => reconnects };
  }
  const until = async (check: () => boolean, ms = 5_000) => {
    for (const started = Date.now(); !check() && Date.now() - started < ms; ) await sleep(10);
  };

  it("delivers a notice sent in a transaction at its commit, and none for one rolled back", async () => {
    const { heard } = await hear(receiver);
    const notices = sender.notices as Notices;
    await sender.transaction(async () => {
      await notices.send("c", "kept");
      await sleep(50);
      expect(heard).toEqual([]);
    });
    await sender
      .transaction(async () => {
        await notices.send("c", "rolled back");
        throw new Error("roll back");
      })
      .catch(() => undefined);
    await notices.send("c", "outside a transaction");
    await notices.send("other channel", "not heard");
    await until(() => heard.length >= 2);
    await sleep(50);
    expect(heard).toEqual(["kept", "outside a transaction"]);
  });

  it("listens again when its connection is cut, and says so", async () => {
    const { heard, reconnects } = await hear(receiver);
    const admin = await openPostgres(url);
    try {
      const listener = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`;
      const [first] = await admin.all<{ pid: number }>(listener);
      await admin.value("SELECT pg_terminate_backend(?)", [first?.pid ?? 0]);
      await until(() => reconnects() === 1);
      expect(reconnects()).toBe(1);
      const [again] = await admin.all<{ pid: number }>(listener);
      expect(again?.pid).not.toBe(first?.pid);
      await (sender.notices as Notices).send("c", "after");
      await until(() => heard.length > 0);
      expect(heard).toEqual(["after"]);
    } finally {
      await admin.close();
    }
  });

  it("is not there on SQLite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "taxauth-sql-"));
    const sqlite = openDatabase(dir);
    expect(sqlite.notices).toBeNull();
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
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
