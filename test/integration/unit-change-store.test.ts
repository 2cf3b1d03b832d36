import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSql } from "../../companion/db/database.js";
import type { Sql } from "../../companion/db/sql.js";
import { unitChangeStore } from "../../companion/events/unit-change-store.js";
import { freshPostgresDatabase } from "../support/postgres.js";

let dir: string;
let sql: Sql;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "taxauth-changes-"));
  const databaseUrl = process.env.TAXAUTH_TEST_STORE === "postgres" ? await freshPostgresDatabase() : undefined;
  sql = await openSql({ dataDir: dir, databaseUrl });
});
afterEach(async () => {
  await sql.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("unit_changes", () => {
  it("reads what came after a seq, in order, and the changes among given seqs", async () => {
    const store = unitChangeStore(sql);
    for (const tin of ["A", "B", "C", "D"]) await store.insert(1, tin, "grant");
    const all = await store.after(0, 10);
    expect(all.map((row) => row.tin)).toEqual(["A", "B", "C", "D"]);
    const [a, , c] = all.map((row) => row.seq) as number[];
    expect(await store.after(c as number, 10)).toEqual([{ seq: (c as number) + 1, tin: "D", kind: "grant" }]);
    const among = await store.among([a as number, c as number, 999_999]);
    expect(among.sort((x, y) => x.seq - y.seq).map((row) => row.tin)).toEqual(["A", "C"]);
    expect(await store.among([])).toEqual([]);
    expect(await store.head()).toBe(all.at(-1)?.seq);
  });
});
