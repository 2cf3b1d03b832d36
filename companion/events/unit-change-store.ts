import { jsonIntegersSql } from "../db/dialect.js";
import type { Sql } from "../db/sql.js";

export type UnitChangeKind = "unit" | "grant" | "office" | "password" | "local";

export interface UnitChange {
  tin: string;
  kind: UnitChangeKind;
}

/** The rows of unit_changes, each numbered by its seq as it is written. */
export function unitChangeStore(sql: Sql) {
  const insert = "INSERT INTO unit_changes (at, unit_tin, kind) VALUES (?, ?, ?)";
  const after = "SELECT seq, unit_tin AS tin, kind FROM unit_changes WHERE seq > ? ORDER BY seq LIMIT ?";
  const among = `SELECT seq, unit_tin AS tin, kind FROM unit_changes WHERE seq IN ${jsonIntegersSql(sql.dialect, "seqs")}`;
  const head = "SELECT COALESCE(MAX(seq), 0) FROM unit_changes";
  const prune = "DELETE FROM unit_changes WHERE at < ?";

  return {
    insert: async (at: number, tin: string, kind: UnitChangeKind): Promise<void> => {
      await sql.run(insert, [at, tin, kind]);
    },
    /** Up to `limit` changes written after `seq`, in order. */
    after: (seq: number, limit: number) => sql.all<UnitChange & { seq: number }>(after, [seq, limit]),
    /** Those of the changes numbered `seqs` that are there (committed), in no order. */
    among: (seqs: readonly number[]) => sql.all<UnitChange & { seq: number }>(among, { seqs: JSON.stringify(seqs) }),
    /** The seq of the last change written (0 when none). */
    head: async () => (await sql.value<number>(head)) ?? 0,
    /** Forgets the changes written before `at`. */
    pruneBefore: async (at: number): Promise<void> => {
      await sql.run(prune, [at]);
    },
  };
}

export type UnitChangeStore = ReturnType<typeof unitChangeStore>;
