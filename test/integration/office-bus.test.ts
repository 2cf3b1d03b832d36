import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { openDatabase } from "../../companion/db/database.js";
import { openPostgres } from "../../companion/db/postgres.js";
import type { Sql } from "../../companion/db/sql.js";
import { busTopic, type OfficeBus, officeBus } from "../../companion/events/office-bus.js";
import { freshPostgresDatabase } from "../support/postgres.js";

const changed = busTopic("changed", z.object({ id: z.string() }));

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A bus over `sql`, started, and what its subscriber to `changed` hears. */
async function busOn(sql: Sql) {
  const bus = officeBus(sql);
  const heard: string[] = [];
  let catchUps = 0;
  bus.subscribe(changed, {
    receive: ({ id }) => heard.push(id),
    catchUp: () => {
      catchUps += 1;
    },
  });
  await bus.start();
  cleanups.push(() => bus.stop());
  return { bus, heard, catchUps: () => catchUps };
}

const until = async (check: () => boolean, ms = 5_000) => {
  for (const started = Date.now(); !check() && Date.now() - started < ms; ) await sleep(10);
};

describe("the office bus on PostgreSQL: companions on one database", () => {
  async function twoCompanions() {
    const url = await freshPostgresDatabase();
    const [sqlA, sqlB] = await Promise.all([openPostgres(url), openPostgres(url)]);
    cleanups.push(
      () => sqlA.close(),
      () => sqlB.close(),
    );
    return { url, sqlA, a: await busOn(sqlA), b: await busOn(sqlB) };
  }

  it("delivers a notice here at once and there through the database, each once", async () => {
    const { a, b } = await twoCompanions();
    await a.bus.publish(changed, { id: "1" });
    // Here, before any round trip; its echo from the database is passed over.
    expect(a.heard).toEqual(["1"]);
    await until(() => b.heard.length > 0);
    await sleep(100);
    expect(b.heard).toEqual(["1"]);
    expect(a.heard).toEqual(["1"]);
  });

  it("inside a transaction: at its commit, here and there; never for one rolled back", async () => {
    const { sqlA, a, b } = await twoCompanions();
    await sqlA.transaction(async () => {
      await a.bus.publish(changed, { id: "committed" });
      await sleep(50);
      expect(a.heard).toEqual([]);
      expect(b.heard).toEqual([]);
    });
    expect(a.heard).toEqual(["committed"]);
    await sqlA
      .transaction(async () => {
        await a.bus.publish(changed, { id: "rolled back" });
        throw new Error("roll back");
      })
      .catch(() => undefined);
    await until(() => b.heard.length > 0);
    await sleep(100);
    expect(b.heard).toEqual(["committed"]);
    expect(a.heard).toEqual(["committed"]);
  });

  it("passes over notices that are not ours or not well formed, and refuses one too large to send", async () => {
    const { sqlA, b } = await twoCompanions();
    for (const text of ["not json", '{"from":"x","topic":"changed","payload":{"id":7}}', '{"topic":"changed"}']) {
      await sqlA.value("SELECT pg_notify('taxauth', ?)", [text]);
    }
    await sqlA.value("SELECT pg_notify('taxauth', ?)", ['{"from":"x","topic":"changed","payload":{"id":"ok"}}']);
    await until(() => b.heard.length > 0);
    await sleep(100);
    expect(b.heard).toEqual(["ok"]);
    const bus = officeBus(sqlA);
    await expect(bus.publish(changed, { id: "x".repeat(8_000) })).rejects.toThrow("too large");
  });

  it("after its connection is cut: listens again, and asks its subscribers to catch up", async () => {
    const { sqlA, a, b } = await twoCompanions();
    const pids = await sqlA.all<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    );
    expect(pids).toHaveLength(2);
    for (const { pid } of pids) await sqlA.value("SELECT pg_terminate_backend(?)", [pid]);
    await until(() => a.catchUps() === 1 && b.catchUps() === 1);
    expect([a.catchUps(), b.catchUps()]).toEqual([1, 1]);
    await a.bus.publish(changed, { id: "after" });
    await until(() => b.heard.length > 0);
    expect(b.heard).toEqual(["after"]);
  });

  it("stops listening when stopped", async () => {
    const { sqlA, a } = await twoCompanions();
    await a.bus.stop();
    const listening = await sqlA.value<number>(
      "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    );
    expect(listening).toBe(1);
  });
});

describe("the office bus on SQLite: this companion only", () => {
  it("delivers at once, or at the commit; never for work rolled back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "taxauth-bus-"));
    const sql = openDatabase(dir);
    cleanups.push(
      () => rmSync(dir, { recursive: true, force: true }),
      () => sql.close(),
    );
    const { bus, heard }: { bus: OfficeBus; heard: string[] } = await busOn(sql);
    await bus.publish(changed, { id: "now" });
    await sql.transaction(async () => {
      await bus.publish(changed, { id: "at commit" });
      expect(heard).toEqual(["now"]);
    });
    await sql
      .transaction(async () => {
        await bus.publish(changed, { id: "rolled back" });
        throw new Error("roll back");
      })
      .catch(() => undefined);
    expect(heard).toEqual(["now", "at commit"]);
  });
});
