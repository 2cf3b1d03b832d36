import type { PageQuery } from "../../shared/api/paging.js";
import type { DesktopResult } from "../../shared/desktop/protocol.js";
import type { Person } from "../accounts/people.js";
import { atomically, type Db } from "../db/database.js";
import { LIST_START, type ListReader, readPage } from "../db/paging.js";
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
export function unitListStore(db: Db, changes: Pick<UnitChanges, "onAnyChange">) {
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

  const page = db.prepare(
    `SELECT unit.*, list.position FROM desktop_unit_lists list JOIN units unit ON unit.tin = list.unit_tin
     WHERE list.person_id = @personId AND list.position > @after
     ORDER BY list.position LIMIT @limit`,
  );
  const totals = db.prepare(
    `SELECT count, comprehensive_filed AS comprehensiveFiled, business_filed AS businessFiled
     FROM desktop_unit_list_totals WHERE person_id = ?`,
  );
  // Which of a page's units the person enters directly: by office, or by an active grant.
  const direct = db
    .prepare(
      `SELECT o.unit_tin FROM unit_officers o WHERE o.doc_type = @docType AND o.doc_number = @docNumber
         AND o.name = @name AND o.start_date <= @today AND (o.end_date IS NULL OR o.end_date >= @today)
         AND o.unit_tin IN (SELECT value FROM json_each(@tins))
       UNION
       SELECT g.unit_tin FROM grants g WHERE g.grantee_id = @personId AND ${activeSql("g")}
         AND g.unit_tin IN (SELECT value FROM json_each(@tins))`,
    )
    .pluck();
  const positionOf = db.prepare("SELECT position FROM desktop_unit_lists WHERE person_id = ? AND unit_tin = ?").pluck();
  const rank = db.prepare("SELECT COUNT(*) FROM desktop_unit_lists WHERE person_id = ? AND position <= ?").pluck();
  const neighbour = {
    up: db.prepare(
      "SELECT unit_tin, position FROM desktop_unit_lists WHERE person_id = ? AND position < ? ORDER BY position DESC LIMIT 1",
    ),
    down: db.prepare(
      "SELECT unit_tin, position FROM desktop_unit_lists WHERE person_id = ? AND position > ? ORDER BY position LIMIT 1",
    ),
  };
  // The two rows a unit moved to a 1-based position goes between (itself left out).
  const around = db
    .prepare(
      `SELECT position FROM desktop_unit_lists WHERE person_id = @personId AND unit_tin <> @tin
       ORDER BY position LIMIT 2 OFFSET @offset`,
    )
    .pluck();
  const setPosition = db.prepare("UPDATE desktop_unit_lists SET position = ? WHERE person_id = ? AND unit_tin = ?");
  const renumber = db.prepare(
    `UPDATE desktop_unit_lists SET position = ranked.n FROM
       (SELECT unit_tin, ROW_NUMBER() OVER (ORDER BY position) AS n FROM desktop_unit_lists WHERE person_id = @personId) ranked
     WHERE desktop_unit_lists.person_id = @personId AND desktop_unit_lists.unit_tin = ranked.unit_tin`,
  );
  const append = db.prepare(
    `INSERT OR IGNORE INTO desktop_unit_lists (person_id, unit_tin, position)
     VALUES (@personId, @tin, (SELECT COALESCE(MAX(position), 0) + 1 FROM desktop_unit_lists WHERE person_id = @personId))`,
  );

  const lastOfOthers = db
    .prepare("SELECT MAX(position) FROM desktop_unit_lists WHERE person_id = ? AND unit_tin <> ?")
    .pluck();

  /** The rows a unit moved to `rank` (1-based) goes between, itself left out: before it, after it. */
  function gapAt(personId: string, tin: string, rank: number): { low?: number; high?: number } {
    if (rank === 1) {
      const [first] = around.all({ personId, tin, offset: 0 }) as number[];
      return { high: first };
    }
    const [low, high] = around.all({ personId, tin, offset: rank - 2 }) as number[];
    // Past the end of the list: after its last row.
    if (low === undefined) return { low: (lastOfOthers.get(personId, tin) as number | null) ?? undefined };
    return { low, high };
  }

  function moveTo(personId: string, tin: string, rank: number): void {
    const { low, high } = gapAt(personId, tin, rank);
    if (low === undefined && high === undefined) return; // alone on the list
    const next = low === undefined ? (high as number) - 1 : high === undefined ? low + 1 : low + (high - low) / 2;
    // Halving runs out after some fifty moves into the same gap: then spread the list out again.
    if (next === low || next === high) {
      renumber.run({ personId });
      moveTo(personId, tin, rank);
    } else {
      setPosition.run(next, personId, tin);
    }
  }

  async function readListPage(person: Person, today: string, query: PageQuery): Promise<UnitsList> {
    const lineOfTotals = (totals.get(person.id) as UnitsList["totals"] | undefined) ?? {
      count: 0,
      comprehensiveFiled: 0,
      businessFiled: 0,
    };
    const list: ListReader<UnitRow & { position: number }> = {
      kinds: ["number"],
      keyOf: (row) => [row.position],
      rows: (after, size) =>
        page.all({ personId: person.id, after: after?.[0] ?? LIST_START.number, limit: size }) as Array<
          UnitRow & { position: number }
        >,
      count: () => lineOfTotals.count,
      matches: (row, needle) => row.tin.includes(needle.toUpperCase()) || row.name.includes(needle),
    };
    const found = await readPage(list, query, (row) => row);
    // How the person enters the page's units, asked once for the page.
    const directly = new Set(
      direct.all({
        personId: person.id,
        docType: person.docType,
        docNumber: person.docNumber,
        name: person.name,
        today,
        tins: JSON.stringify(found.items.map((row) => row.tin)),
      }) as string[],
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
    async page(personId: string, person: () => Person, today: string, query: PageQuery): Promise<UnitsList> {
      const first = query.cursor === undefined && !query.q ? `${personId} ${today} ${query.limit}` : null;
      const kept = first === null ? undefined : firstPages.get(first);
      if (kept) return kept;
      const readAt = generation;
      const answer = await readListPage(person(), today, query);
      if (first !== null && readAt === generation) {
        if (firstPages.size >= MAX_KEPT_PAGES) firstPages.clear();
        firstPages.set(first, answer);
      }
      return answer;
    },

    /** 添加: appends a unit to the person's list (once); answers its 1-based position. */
    add(personId: string, tin: string): number {
      forget();
      return atomically(db, () => {
        append.run({ personId, tin });
        return rank.get(personId, positionOf.get(personId, tin)) as number;
      });
    },

    /** ▲ ▼ or to a position: one unit of the list moves, the others keep their order. */
    move(personId: string, tin: string, to: "up" | "down" | number): number {
      forget();
      return atomically(db, () => {
        const current = positionOf.get(personId, tin) as number | undefined;
        if (current === undefined) {
          throw new AppError("VALIDATION_FAILED", { fields: { tin: "该单位不在您的单位列表中" } });
        }
        if (typeof to === "number") moveTo(personId, tin, to);
        else {
          const other = neighbour[to].get(personId, current) as { unit_tin: string; position: number } | undefined;
          if (other) {
            setPosition.run(other.position, personId, tin);
            setPosition.run(current, personId, other.unit_tin);
          }
        }
        return rank.get(personId, positionOf.get(personId, tin)) as number;
      });
    },
  };
}

export type UnitListStore = ReturnType<typeof unitListStore>;
