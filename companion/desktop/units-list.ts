import type { PageQuery } from "../../shared/api/paging.js";
import type { DesktopResult } from "../../shared/desktop/protocol.js";
import type { Person } from "../accounts/people.js";
import { LIST_START, type ListReader, readPage } from "../db/paging.js";
import type { Sql } from "../db/sql.js";
import { AppError } from "../errors.js";
import type { UnitChanges } from "../events/unit-changes.js";
import { activeSql } from "../grants/status.js";
import { type UnitRow, unitFromRow } from "../units/units.js";

type UnitsList = DesktopResult<"units.list">;

/** First pages kept at most before starting over. */
const MAX_KEPT_PAGES = 10_000;

/**
 * Store of each person's 单位管理 list. Positions are real numbers, so a move writes one row (two
 * for ▲ ▼); the totals line is kept by triggers (see the migration), so no request counts the list.
 */
export function unitListStore(sql: Sql, changes: Pick<UnitChanges, "onAnyChange">) {
  // 单位管理 is the desktop clients' most frequent request: each person's first page is kept for
  // the day until a unit, grant or office changes anywhere, or their own list does.
  const firstPages = new Map<string, UnitsList>();
  /** Moves on with every change, so a page read before one is never kept after it. */
  let generation = 0;
  const forget = () => {
    generation += 1;
    firstPages.clear();
  };
  changes.onAnyChange(forget);

  const page = `SELECT unit.*, list.position FROM desktop_unit_lists list JOIN units unit ON unit.tin = list.unit_tin
     WHERE list.person_id = @personId AND list.position > @after
     ORDER BY list.position LIMIT @limit`;
  const totals = `SELECT count, comprehensive_filed AS comprehensiveFiled, business_filed AS businessFiled
     FROM desktop_unit_list_totals WHERE person_id = ?`;
  // Which of a page's units the person enters directly: by office, or by an active grant.
  const direct = `SELECT o.unit_tin FROM unit_officers o WHERE o.doc_type = @docType AND o.doc_number = @docNumber
         AND o.name = @name AND o.start_date <= @today AND (o.end_date IS NULL OR o.end_date >= @today)
         AND o.unit_tin IN (SELECT value FROM json_each(@tins))
       UNION
       SELECT g.unit_tin FROM grants g WHERE g.grantee_id = @personId AND ${activeSql("g")}
         AND g.unit_tin IN (SELECT value FROM json_each(@tins))`;
  const position = "SELECT position FROM desktop_unit_lists WHERE person_id = ? AND unit_tin = ?";
  const rowsUpTo = "SELECT COUNT(*) FROM desktop_unit_lists WHERE person_id = ? AND position <= ?";
  const neighbour = {
    up: "SELECT unit_tin, position FROM desktop_unit_lists WHERE person_id = ? AND position < ? ORDER BY position DESC LIMIT 1",
    down: "SELECT unit_tin, position FROM desktop_unit_lists WHERE person_id = ? AND position > ? ORDER BY position LIMIT 1",
  };
  // The two rows a unit moved to a 1-based position goes between (itself left out).
  const around = `SELECT position FROM desktop_unit_lists WHERE person_id = @personId AND unit_tin <> @tin
       ORDER BY position LIMIT 2 OFFSET @offset`;
  const setPosition = "UPDATE desktop_unit_lists SET position = ? WHERE person_id = ? AND unit_tin = ?";
  const renumber = `UPDATE desktop_unit_lists SET position = ranked.n FROM
       (SELECT unit_tin, ROW_NUMBER() OVER (ORDER BY position) AS n FROM desktop_unit_lists WHERE person_id = @personId) ranked
     WHERE desktop_unit_lists.person_id = @personId AND desktop_unit_lists.unit_tin = ranked.unit_tin`;
  const append = `INSERT INTO desktop_unit_lists (person_id, unit_tin, position)
     VALUES (@personId, @tin, (SELECT COALESCE(MAX(position), 0) + 1 FROM desktop_unit_lists WHERE person_id = @personId))
     ON CONFLICT DO NOTHING`;

  const lastOfOthers = "SELECT MAX(position) FROM desktop_unit_lists WHERE person_id = ? AND unit_tin <> ?";

  const positionOf = (personId: string, tin: string) => sql.value<number>(position, [personId, tin]);
  const rankOf = async (personId: string, tin: string) =>
    (await sql.value<number>(rowsUpTo, [personId, (await positionOf(personId, tin)) ?? null])) ?? 0;

  /** The rows a unit moved to `rank` (1-based) goes between, itself left out: before it, after it. */
  async function gapAt(personId: string, tin: string, rank: number): Promise<{ low?: number; high?: number }> {
    const positions = async (offset: number) =>
      (await sql.all<{ position: number }>(around, { personId, tin, offset })).map((row) => row.position);
    if (rank === 1) {
      const [first] = await positions(0);
      return { high: first };
    }
    const [low, high] = await positions(rank - 2);
    // Past the end of the list: after its last row.
    if (low === undefined) return { low: (await sql.value<number>(lastOfOthers, [personId, tin])) ?? undefined };
    return { low, high };
  }

  async function moveTo(personId: string, tin: string, rank: number): Promise<void> {
    const { low, high } = await gapAt(personId, tin, rank);
    if (low === undefined && high === undefined) return; // alone on the list
    const next = low === undefined ? (high as number) - 1 : high === undefined ? low + 1 : low + (high - low) / 2;
    // Halving runs out after some fifty moves into the same gap: then spread the list out again.
    if (next === low || next === high) {
      await sql.run(renumber, { personId });
      await moveTo(personId, tin, rank);
    } else {
      await sql.run(setPosition, [next, personId, tin]);
    }
  }

  async function readListPage(person: Person, today: string, query: PageQuery): Promise<UnitsList> {
    const lineOfTotals = (await sql.one<UnitsList["totals"]>(totals, [person.id])) ?? {
      count: 0,
      comprehensiveFiled: 0,
      businessFiled: 0,
    };
    const list: ListReader<UnitRow & { position: number }> = {
      kinds: ["number"],
      keyOf: (row) => [row.position],
      rows: (after, size) =>
        sql.all<UnitRow & { position: number }>(page, {
          personId: person.id,
          after: after?.[0] ?? LIST_START.number,
          limit: size,
        }),
      count: async () => lineOfTotals.count,
      matches: (row, needle) => row.tin.includes(needle.toUpperCase()) || row.name.includes(needle),
    };
    const found = await readPage(list, query, (row) => row);
    // How the person enters the page's units, asked once for the page.
    const directly = new Set(
      (
        await sql.all<{ unit_tin: string }>(direct, {
          personId: person.id,
          docType: person.docType,
          docNumber: person.docNumber,
          name: person.name,
          today,
          tins: JSON.stringify(found.items.map((row) => row.tin)),
        })
      ).map((row) => row.unit_tin),
    );
    return {
      ...found,
      items: found.items.map((row) => ({
        ...unitFromRow(row),
        access: directly.has(row.tin) ? ("direct" as const) : ("password" as const),
      })),
      totals: lineOfTotals,
    };
  }

  return {
    /** A page of the person's list in their order; q (查询) finds a 纳税人识别号 or 纳税人名称. */
    async page(personId: string, person: () => Promise<Person>, today: string, query: PageQuery): Promise<UnitsList> {
      const first = query.cursor === undefined && !query.q ? `${personId} ${today} ${query.limit}` : null;
      const kept = first === null ? undefined : firstPages.get(first);
      if (kept) return kept;
      const readAt = generation;
      const answer = await readListPage(await person(), today, query);
      if (first !== null && readAt === generation) {
        if (firstPages.size >= MAX_KEPT_PAGES) firstPages.clear();
        firstPages.set(first, answer);
      }
      return answer;
    },

    /** 添加: appends a unit to the person's list (once); answers its 1-based position. */
    add(personId: string, tin: string): Promise<number> {
      forget();
      return sql.transaction(async () => {
        await sql.run(append, { personId, tin });
        return rankOf(personId, tin);
      });
    },

    /** ▲ ▼ or to a position: one unit of the list moves, the others keep their order. */
    move(personId: string, tin: string, to: "up" | "down" | number): Promise<number> {
      forget();
      return sql.transaction(async () => {
        const current = await positionOf(personId, tin);
        if (current === undefined) {
          throw new AppError("VALIDATION_FAILED", { fields: { tin: "该单位不在您的单位列表中" } });
        }
        if (typeof to === "number") await moveTo(personId, tin, to);
        else {
          const other = await sql.one<{ unit_tin: string; position: number }>(neighbour[to], [personId, current]);
          if (other) {
            await sql.run(setPosition, [other.position, personId, tin]);
            await sql.run(setPosition, [current, personId, other.unit_tin]);
          }
        }
        return rankOf(personId, tin);
      });
    },
  };
}

export type UnitListStore = ReturnType<typeof unitListStore>;
