import type { Unit } from "../../shared/api/grants.js";
import type { DesktopResult } from "../../shared/desktop/protocol.js";
import type { Person } from "../accounts/people.js";
import { jsonValuesSql, keyLockSql } from "../db/dialect.js";
import { LIST_END, LIST_START, type ListReader, nextTurn } from "../db/paging.js";
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
 * Which order of a person's list: their saved default (设定为默认排序), or the own order of one of
 * their logins (自定义排序), by the digest of the login's token.
 */
export type ListOrder = { personId: string } | { session: string };

/**
 * The statements on one order's table: each row is (owner, unit, position), the owner being the
 * person (the default order) or the login (a session's own order).
 */
function orderStatements(table: string, owner: string) {
  return {
    page: `SELECT unit.*, list.position FROM ${table} list JOIN units unit ON unit.tin = list.unit_tin
       WHERE list.${owner} = @owner AND list.position > @after
       ORDER BY list.position LIMIT @limit`,
    position: `SELECT position FROM ${table} WHERE ${owner} = ? AND unit_tin = ?`,
    rowsUpTo: `SELECT COUNT(*) FROM ${table} WHERE ${owner} = ? AND position <= ?`,
    neighbour: {
      up: `SELECT unit_tin, position FROM ${table} WHERE ${owner} = ? AND position < ? ORDER BY position DESC LIMIT 1`,
      down: `SELECT unit_tin, position FROM ${table} WHERE ${owner} = ? AND position > ? ORDER BY position LIMIT 1`,
    },
    twoOfOthers: `SELECT position FROM ${table} WHERE ${owner} = @owner AND unit_tin <> @tin
       ORDER BY position LIMIT 2 OFFSET @offset`,
    lastOfOthers: `SELECT MAX(position) FROM ${table} WHERE ${owner} = ? AND unit_tin <> ?`,
    /** The position `offset` rows (0-based) after a position: where a slice of rows ends. */
    sliceEnd: `SELECT position FROM ${table} WHERE ${owner} = ? AND position > ? ORDER BY position LIMIT 1 OFFSET ?`,
    setPosition: `UPDATE ${table} SET position = ? WHERE ${owner} = ? AND unit_tin = ?`,
    renumber: `UPDATE ${table} SET position = ranked.n FROM
         (SELECT unit_tin, ROW_NUMBER() OVER (ORDER BY position) AS n FROM ${table} WHERE ${owner} = @owner) ranked
       WHERE ${table}.${owner} = @owner AND ${table}.unit_tin = ranked.unit_tin`,
  };
}

const DEFAULT_ORDER = orderStatements("desktop_unit_lists", "person_id");
const SESSION_ORDER = orderStatements("desktop_session_unit_orders", "session_hash");

/**
 * Rows a statement over a whole order copies, saves or drops at a time: one statement over a list
 * of 20,000 units would hold the event loop for tens of milliseconds.
 */
const SLICE_ROWS = 1_000;

/**
 * Each person's 单位管理 list: which units are on it, in the person's saved default order, and the
 * own orders of the logins that moved a unit. Positions are real numbers, so a move writes one row
 * (two for ▲ ▼); the totals line is kept by triggers (see the migration), so no request counts the list.
 */
export function unitListStore(sql: Sql) {
  const totals = `SELECT count, comprehensive_filed AS "comprehensiveFiled", business_filed AS "businessFiled"
     FROM desktop_unit_list_totals WHERE person_id = ?`;
  // Which of a page's units the person enters directly: by office, or by an active grant.
  const direct = `SELECT o.unit_tin FROM unit_officers o WHERE o.doc_type = @docType AND o.doc_number = @docNumber
         AND o.name = @name AND o.start_date <= @today AND (o.end_date IS NULL OR o.end_date >= @today)
         AND o.unit_tin IN ${jsonValuesSql(sql.dialect, "tins")}
       UNION
       SELECT g.unit_tin FROM grants g WHERE g.grantee_id = @personId AND ${activeSql("g")}
         AND g.unit_tin IN ${jsonValuesSql(sql.dialect, "tins")}`;
  const append = `INSERT INTO desktop_unit_lists (person_id, unit_tin, position)
     VALUES (@personId, @tin, (SELECT COALESCE(MAX(position), 0) + 1 FROM desktop_unit_lists WHERE person_id = @personId))
     ON CONFLICT DO NOTHING`;
  // 添加 goes to the end of the person's logins' own orders too (those still open that have one).
  const appendToSessions = `INSERT INTO desktop_session_unit_orders (session_hash, unit_tin, position)
     SELECT s.token_hash, @tin, (SELECT MAX(o.position) + 1 FROM desktop_session_unit_orders o WHERE o.session_hash = s.token_hash)
     FROM sessions s WHERE s.person_id = @personId AND s.ended_at IS NULL
       AND EXISTS (SELECT 1 FROM desktop_session_unit_orders o WHERE o.session_hash = s.token_hash)
     ON CONFLICT DO NOTHING`;
  // These three run over a slice of positions, (@after, @upTo], at a time.
  const copyDefault = `INSERT INTO desktop_session_unit_orders (session_hash, unit_tin, position)
     SELECT @session, unit_tin, position FROM desktop_unit_lists
     WHERE person_id = @personId AND position > @after AND position <= @upTo
     ON CONFLICT DO NOTHING`;
  const saveAsDefault = `UPDATE desktop_unit_lists SET position = o.position FROM desktop_session_unit_orders o
     WHERE desktop_unit_lists.person_id = @personId AND o.session_hash = @session
       AND o.position > @after AND o.position <= @upTo AND o.unit_tin = desktop_unit_lists.unit_tin`;
  const dropSession = `DELETE FROM desktop_session_unit_orders
     WHERE session_hash = @session AND position > @after AND position <= @upTo`;
  // Own orders left behind by the person's logins that ended without dropping them (a companion
  // stopped or killed meanwhile).
  const leftBehind = `SELECT s.token_hash FROM sessions s WHERE s.person_id = @personId
       AND (s.ended_at IS NOT NULL OR s.expires_at <= @now)
       AND EXISTS (SELECT 1 FROM desktop_session_unit_orders o WHERE o.session_hash = s.token_hash)`;
  const personLock = keyLockSql(sql.dialect);

  /** Runs `write` over the positions of an order a slice at a time, other work let in between. */
  async function bySlices(
    sliceEnd: string,
    owner: string,
    write: (range: { after: number; upTo: number }) => Promise<unknown>,
  ): Promise<void> {
    for (let after: number = LIST_START.number; ; ) {
      const end = await sql.value<number>(sliceEnd, [owner, after, SLICE_ROWS - 1]);
      await write({ after, upTo: end ?? LIST_END.number });
      if (end === undefined) return;
      after = end;
      await nextTurn();
    }
  }
  const dropOrder = (session: string) =>
    bySlices(SESSION_ORDER.sliceEnd, session, (range) => sql.run(dropSession, { session, ...range }));

  /** The reads and writes of one order of a list. */
  const order = (which: ListOrder) => {
    const [statements, owner] = "session" in which ? [SESSION_ORDER, which.session] : [DEFAULT_ORDER, which.personId];
    const positionOf = (tin: string) => sql.value<number>(statements.position, [owner, tin]);
    return {
      /** The list in this order, of `count` units (the totals line's); q finds a 纳税人识别号 or 纳税人名称. */
      list: (count: number): ListReader<ListedUnit> => ({
        kinds: ["number"],
        keyOf: (row) => [row.position],
        rows: async (after, size) =>
          (
            await sql.all<UnitRow & { position: number }>(statements.page, {
              owner,
              after: after?.[0] ?? LIST_START.number,
              limit: size,
            })
          ).map((row) => ({ unit: unitFromRow(row), position: row.position })),
        count: async () => count,
        matches: ({ unit }, needle) => unit.tin.includes(needle.toUpperCase()) || unit.name.includes(needle),
      }),
      /** The unit's position, if it is on the list. */
      positionOf,
      /** The unit's place, 1-based (0 when it is not on the list). */
      rankOf: async (tin: string) =>
        (await sql.value<number>(statements.rowsUpTo, [owner, (await positionOf(tin)) ?? null])) ?? 0,
      /** The unit just above (up) or below (down) a position. */
      async neighbour(at: number, side: "up" | "down"): Promise<{ tin: string; position: number } | null> {
        const row = await sql.one<{ unit_tin: string; position: number }>(statements.neighbour[side], [owner, at]);
        return row ? { tin: row.unit_tin, position: row.position } : null;
      },
      /** The positions of the rows `offset` and `offset + 1` (0-based, those there are), the unit left out. */
      twoOfOthersFrom: async (tin: string, offset: number): Promise<number[]> =>
        (await sql.all<{ position: number }>(statements.twoOfOthers, { owner, tin, offset })).map(
          (row) => row.position,
        ),
      /** The last position, the unit left out. */
      lastOfOthers: async (tin: string): Promise<number | undefined> =>
        (await sql.value<number>(statements.lastOfOthers, [owner, tin])) ?? undefined,
      setPosition: async (tin: string, at: number): Promise<void> => {
        await sql.run(statements.setPosition, [at, owner, tin]);
      },
      /** Positions 1, 2, 3… in the order as it stands. */
      renumber: async (): Promise<void> => {
        await sql.run(statements.renumber, { owner });
      },
    };
  };

  return {
    order,
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
    /**
     * Inside a transaction, holds the person's list until it ends: on PostgreSQL a login copying the
     * list waits for a 添加 under way elsewhere, and the other way round, so neither misses the other.
     */
    lockList: async (personId: string): Promise<void> => {
      if (personLock) await sql.one(personLock, [`desktop-unit-list:${personId}`]);
    },
    /** Puts the unit after the last of the person's list and of their logins' own orders, unless it is there. */
    append: async (personId: string, tin: string): Promise<void> => {
      await sql.run(append, { personId, tin });
      await sql.run(appendToSessions, { personId, tin });
    },
    /** The login's own order starts as the person's saved default (and their ended logins' are dropped). */
    async copyDefault(personId: string, session: string, now: number): Promise<void> {
      const ended = await sql.all<{ token_hash: string }>(leftBehind, { personId, now });
      for (const { token_hash } of ended) await dropOrder(token_hash);
      await bySlices(DEFAULT_ORDER.sliceEnd, personId, (range) =>
        sql.run(copyDefault, { personId, session, ...range }),
      );
    },
    /** 设定为默认排序: the login's own order becomes the person's saved default. */
    saveAsDefault: (personId: string, session: string): Promise<void> =>
      bySlices(SESSION_ORDER.sliceEnd, session, (range) => sql.run(saveAsDefault, { personId, session, ...range })),
    /** The login's own order is gone: it reads the person's saved default again. */
    dropSession: dropOrder,
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
    afterCommit: (fn: () => void) => sql.afterCommit(fn),
  };
}

export type UnitListStore = ReturnType<typeof unitListStore>;
