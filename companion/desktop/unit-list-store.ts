import type { Unit } from "../../shared/api/grants.js";
import type { DesktopResult } from "../../shared/desktop/protocol.js";
import type { Person } from "../accounts/people.js";
import { jsonValuesSql } from "../db/dialect.js";
import { LIST_START, type ListReader } from "../db/paging.js";
import type { Sql } from "../db/sql.js";
import { activeSql } from "../grants/status.js";
import { type UnitRow, unitFromRow } from "../units/units.js";

/** A unit of a person's list, at its position there. */
export interface ListedUnit {
  unit: Unit;
  position: number;
}

export type UnitListTotals = DesktopResult<"units.list">["totals"];

/**
 * Each person's 单位管理 list. Positions are real numbers, so a move writes one row (two for ▲ ▼);
 * the totals line is kept by triggers (see the migration), so no request counts the list.
 */
export function unitListStore(sql: Sql) {
  const page = `SELECT unit.*, list.position FROM desktop_unit_lists list JOIN units unit ON unit.tin = list.unit_tin
     WHERE list.person_id = @personId AND list.position > @after
     ORDER BY list.position LIMIT @limit`;
  const totals = `SELECT count, comprehensive_filed AS "comprehensiveFiled", business_filed AS "businessFiled"
     FROM desktop_unit_list_totals WHERE person_id = ?`;
  // Which of a page's units the person enters directly: by office, or by an active grant.
  const direct = `SELECT o.unit_tin FROM unit_officers o WHERE o.doc_type = @docType AND o.doc_number = @docNumber
         AND o.name = @name AND o.start_date <= @today AND (o.end_date IS NULL OR o.end_date >= @today)
         AND o.unit_tin IN ${jsonValuesSql(sql.dialect, "tins")}
       UNION
       SELECT g.unit_tin FROM grants g WHERE g.grantee_id = @personId AND ${activeSql("g")}
         AND g.unit_tin IN ${jsonValuesSql(sql.dialect, "tins")}`;
  const position = "SELECT position FROM desktop_unit_lists WHERE person_id = ? AND unit_tin = ?";
  const rowsUpTo = "SELECT COUNT(*) FROM desktop_unit_lists WHERE person_id = ? AND position <= ?";
  const neighbour = {
    up: "SELECT unit_tin, position FROM desktop_unit_lists WHERE person_id = ? AND position < ? ORDER BY position DESC LIMIT 1",
    down: "SELECT unit_tin, position FROM desktop_unit_lists WHERE person_id = ? AND position > ? ORDER BY position LIMIT 1",
  };
  const twoOfOthers = `SELECT position FROM desktop_unit_lists WHERE person_id = @personId AND unit_tin <> @tin
       ORDER BY position LIMIT 2 OFFSET @offset`;
  const lastOfOthers = "SELECT MAX(position) FROM desktop_unit_lists WHERE person_id = ? AND unit_tin <> ?";
  const setPosition = "UPDATE desktop_unit_lists SET position = ? WHERE person_id = ? AND unit_tin = ?";
  const renumber = `UPDATE desktop_unit_lists SET position = ranked.n FROM
       (SELECT unit_tin, ROW_NUMBER() OVER (ORDER BY position) AS n FROM desktop_unit_lists WHERE person_id = @personId) ranked
     WHERE desktop_unit_lists.person_id = @personId AND desktop_unit_lists.unit_tin = ranked.unit_tin`;
  const append = `INSERT INTO desktop_unit_lists (person_id, unit_tin, position)
     VALUES (@personId, @tin, (SELECT COALESCE(MAX(position), 0) + 1 FROM desktop_unit_lists WHERE person_id = @personId))
     ON CONFLICT DO NOTHING`;

  const positionOf = (personId: string, tin: string) => sql.value<number>(position, [personId, tin]);

  return {
    /** The person's list in their order, of `count` units (the totals line's); q finds a 纳税人识别号 or 纳税人名称. */
    list: (personId: string, count: number): ListReader<ListedUnit> => ({
      kinds: ["number"],
      keyOf: (row) => [row.position],
      rows: async (after, size) =>
        (
          await sql.all<UnitRow & { position: number }>(page, {
            personId,
            after: after?.[0] ?? LIST_START.number,
            limit: size,
          })
        ).map((row) => ({ unit: unitFromRow(row), position: row.position })),
      count: async () => count,
      matches: ({ unit }, needle) => unit.tin.includes(needle.toUpperCase()) || unit.name.includes(needle),
    }),
    /** The totals line of the person's list (all zero before their first 添加). */
    totalsOf: async (personId: string): Promise<UnitListTotals> =>
      (await sql.one<UnitListTotals>(totals, [personId])) ?? { count: 0, comprehensiveFiled: 0, businessFiled: 0 },
    /** Which of these units the person enters without the 申报密码 on that date. */
    async directlyEntered(person: Person, today: string, tins: string[]): Promise<Set<string>> {
      const rows = await sql.all<{ unit_tin: string }>(direct, {
        personId: person.id,
        docType: person.docType,
        docNumber: person.docNumber,
        name: person.name,
        today,
        tins: JSON.stringify(tins),
      });
      return new Set(rows.map((row) => row.unit_tin));
    },

    /** The unit's position in the person's list, if it is there. */
    positionOf,
    /** The unit's place in the person's list, 1-based (0 when it is not there). */
    rankOf: async (personId: string, tin: string) =>
      (await sql.value<number>(rowsUpTo, [personId, (await positionOf(personId, tin)) ?? null])) ?? 0,
    /** The unit just above (up) or below (down) a position of the person's list. */
    async neighbour(
      personId: string,
      at: number,
      side: "up" | "down",
    ): Promise<{ tin: string; position: number } | null> {
      const row = await sql.one<{ unit_tin: string; position: number }>(neighbour[side], [personId, at]);
      return row ? { tin: row.unit_tin, position: row.position } : null;
    },
    /** The positions of the list's rows `offset` and `offset + 1` (0-based, those there are), the unit left out. */
    twoOfOthersFrom: async (personId: string, tin: string, offset: number): Promise<number[]> =>
      (await sql.all<{ position: number }>(twoOfOthers, { personId, tin, offset })).map((row) => row.position),
    /** The last position of the list, the unit left out. */
    lastOfOthers: async (personId: string, tin: string): Promise<number | undefined> =>
      (await sql.value<number>(lastOfOthers, [personId, tin])) ?? undefined,
    setPosition: async (personId: string, tin: string, at: number): Promise<void> => {
      await sql.run(setPosition, [at, personId, tin]);
    },
    /** Positions 1, 2, 3… in the list's order. */
    renumber: async (personId: string): Promise<void> => {
      await sql.run(renumber, { personId });
    },
    /** Puts the unit after the last of the person's list, unless it is there already. */
    append: async (personId: string, tin: string): Promise<void> => {
      await sql.run(append, { personId, tin });
    },
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
  };
}

export type UnitListStore = ReturnType<typeof unitListStore>;
