import type { HistoryFilter } from "../../shared/api/grants.js";
import { addDays, startOfShanghaiDay } from "../../shared/dates.js";
import { LIST_START, type ListReader } from "../db/paging.js";
import type { Sql } from "../db/sql.js";

export type GrantAction = "新增授权" | "变更" | "解除授权" | "本人解除" | "本人删除" | "复核保留";
/** The steps of a 申请授权, recorded under the request's id. */
export type GrantRequestAction = "申请授权" | "批准申请" | "拒绝申请" | "撤回申请";
/** Changes to a person's own account: in 安全中心, by 忘记密码, or at the tax hall. */
export type AccountAction = "绑定手机" | "更换手机" | "解绑手机" | "修改密码" | "重置密码";
export type AuditAction = GrantAction | GrantRequestAction | AccountAction;

interface EntryFields {
  at: number;
  actorId: string;
  actorRole: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** A change to one of a unit's grants (grantId), or a step of a request to it (the request's id). */
export interface GrantAuditEntry extends EntryFields {
  unitTin: string;
  action: GrantAction | GrantRequestAction;
  grantId: string;
}

/**
 * A change to a person's account (phone, password), of no unit or grant: `actorId` is the account's
 * person, `actorRole` who acted (本人, or 办税服务厅 on their identity document).
 */
export interface AccountAuditEntry extends EntryFields {
  unitTin: null;
  action: AccountAction;
  grantId: null;
}

export type AuditEntry = GrantAuditEntry | AccountAuditEntry;

/** A grant's row, as a unit's readers see it. */
export interface AuditRow extends GrantAuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

/** A history row with the names it shows. */
export interface HistoryRow extends AuditRow {
  actorName: string | null;
  granteeName: string | null;
}

/**
 * A row as recorded (a grant's or an account's), before and after as the JSON text kept: the
 * chain's hash covers that text, so checking it reads the text itself, not a re-serialisation of
 * what it says.
 */
export interface AuditRecord extends Omit<EntryFields, "before" | "after"> {
  seq: number;
  unitTin: string | null;
  action: AuditAction;
  grantId: string | null;
  before: string | null;
  after: string | null;
  prevHash: string;
  hash: string;
}

interface Row {
  seq: number;
  at: number;
  unit_tin: string | null;
  actor_id: string;
  actor_role: string;
  action: AuditAction;
  grant_id: string | null;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}

const recordFromRow = (row: Row): AuditRecord => ({
  seq: row.seq,
  at: row.at,
  unitTin: row.unit_tin,
  actorId: row.actor_id,
  actorRole: row.actor_role,
  action: row.action,
  grantId: row.grant_id,
  before: row.before,
  after: row.after,
  prevHash: row.prev_hash,
  hash: row.hash,
});

const parsed = (json: string | null) => (json === null ? null : (JSON.parse(json) as Record<string, unknown>));

/** A row of a unit's (read by its 纳税人识别号): a grant's, never an account's. */
const fromRow = (row: Row): AuditRow => ({
  ...recordFromRow(row),
  unitTin: row.unit_tin as string,
  action: row.action as GrantAuditEntry["action"],
  grantId: row.grant_id as string,
  before: parsed(row.before),
  after: parsed(row.after),
});

/** A row about a person (their grant's or their account's), with the unit's and the actor's names. */
export interface PersonAuditRow extends AuditRecord {
  unitName: string | null;
  actorName: string | null;
}

/**
 * The conditions of a unit's history under a filter. Dates are Asia/Shanghai days, inclusive: from
 * 00:00 of `from` to before 00:00 of the day after `to`. Names are matched whole, through the people
 * (and, for the grantee, the grants) they name; the actor's as the ids `actorIds` found for it, so
 * that each row is checked against the index's own column.
 */
function historyWhere(
  tin: string,
  filter: HistoryFilter,
  actorIds: string[],
): { where: string; params: Record<string, string | number> } {
  const params: Record<string, string | number> = { tin };
  // A grantee has few rows: read them by their grants (of this unit, so of its history), not by
  // going through the unit's whole history.
  const conditions = [
    filter.grantee
      ? `(a.grant_id IN (SELECT g.id FROM grants g WHERE g.unit_tin = @tin
          AND g.grantee_id IN (SELECT id FROM people WHERE name = @grantee))
        OR a.grant_id IN (SELECT r.id FROM grant_requests r WHERE r.unit_tin = @tin
          AND r.requester_id IN (SELECT id FROM people WHERE name = @grantee)))`
      : "a.unit_tin = @tin",
  ];
  if (filter.from) {
    conditions.push("a.at >= @fromAt");
    params.fromAt = startOfShanghaiDay(filter.from);
  }
  if (filter.to) {
    conditions.push("a.at < @toAt");
    params.toAt = startOfShanghaiDay(addDays(filter.to, 1));
  }
  if (filter.actor) {
    const names = actorIds.map((id, index) => {
      params[`actor${index}`] = id;
      return `@actor${index}`;
    });
    conditions.push(names.length > 0 ? `a.actor_id IN (${names.join(", ")})` : "1 = 0");
  }
  if (filter.grantee) params.grantee = filter.grantee;
  if (filter.action) {
    conditions.push("a.action = @action");
    params.action = filter.action;
  }
  return { where: conditions.join(" AND "), params };
}

/** The advisory lock appends to the chain take turns on (PostgreSQL). */
const AUDIT_CHAIN_LOCK = 4_142_858;

/** Store queries for the history of grant and account changes (the audit_log table), read in seq order. */
export function auditStore(sql: Sql) {
  const last = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
  const insert = `INSERT INTO audit_log (seq, at, unit_tin, actor_id, actor_role, action, grant_id, before, after, prev_hash, hash)
     VALUES (@seq, @at, @unitTin, @actorId, @actorRole, @action, @grantId, @before, @after, @prevHash, @hash)`;
  const ofUnit = "SELECT * FROM audit_log WHERE unit_tin = ? ORDER BY seq";
  const all = "SELECT * FROM audit_log ORDER BY seq";
  const actorsNamed = "SELECT id FROM people WHERE name = ?";
  // A person's rows in two parts, each on its own index: those of their grants, those of their account.
  const ofGrantee = "a.grant_id IN (SELECT id FROM grants WHERE grantee_id = @personId)";
  const ofAccount = "a.unit_tin IS NULL AND a.actor_id = @personId";
  const beforeKey = "(a.at < @beforeAt OR (a.at = @beforeAt AND a.seq < @beforeSeq))";
  const personPart = (condition: string) => `SELECT a.*, u.name AS unit_name, actor.name AS actor_name FROM audit_log a
     LEFT JOIN units u ON u.tin = a.unit_tin LEFT JOIN people actor ON actor.id = a.actor_id
     WHERE ${condition} AND ${beforeKey}`;
  const personRows = `${personPart(ofGrantee)} UNION ALL ${personPart(ofAccount)}
     ORDER BY at DESC, seq DESC LIMIT @limit`;
  const personCount = `SELECT (SELECT COUNT(*) FROM audit_log a WHERE ${ofGrantee})
     + (SELECT COUNT(*) FROM audit_log a WHERE ${ofAccount})`;

  return {
    /** The newest row's seq and hash, if there is any row. */
    last: () => sql.one<{ seq: number; hash: string }>(last),
    /**
     * The row a new one chains onto, inside the appending transaction. Companions sharing
     * PostgreSQL would otherwise both chain onto the same row: there, appends take turns on a lock
     * held until the transaction ends (the next one then reads the row just added).
     */
    async lastForAppend() {
      if (sql.dialect === "postgres") await sql.value("SELECT pg_advisory_xact_lock(?)", [AUDIT_CHAIN_LOCK]);
      return sql.one<{ seq: number; hash: string }>(last);
    },
    insert: (record: AuditRecord) => sql.run(insert, { ...record }),
    /** The unit's rows, oldest first. */
    ofUnit: async (tin: string) => (await sql.all<Row>(ofUnit, [tin])).map(fromRow),
    /**
     * The unit's history, newest first, with only the rows the filter keeps (in SQL, on indexes:
     * a filtered count or page never reads the unit's other rows one by one in JavaScript); the
     * search finds the actor's or the grantee's 姓名.
     */
    unitHistory: (tin: string, filter: HistoryFilter = {}): ListReader<HistoryRow> => {
      // Built once, on the first read (the page and its count are read together).
      let built: Promise<{ page: string; count: string; params: Record<string, string | number> }> | undefined;
      const statements = () => {
        built ??= (async () => {
          const actorIds = filter.actor
            ? (await sql.all<{ id: string }>(actorsNamed, [filter.actor])).map((person) => person.id)
            : [];
          const { where, params } = historyWhere(tin, filter, actorIds);
          const page = `SELECT a.*, actor.name AS actor_name, grantee.name AS grantee_name FROM audit_log a
             LEFT JOIN people actor ON actor.id = a.actor_id
             LEFT JOIN grants g ON g.id = a.grant_id LEFT JOIN grant_requests r ON r.id = a.grant_id
             LEFT JOIN people grantee ON grantee.id = COALESCE(g.grantee_id, r.requester_id)
             WHERE ${where} AND a.seq < @beforeSeq
             ORDER BY a.seq DESC LIMIT @limit`;
          return { page, count: `SELECT COUNT(*) FROM audit_log a WHERE ${where}`, params };
        })();
        return built;
      };
      return {
        kinds: ["number"],
        keyOf: (row) => [row.seq],
        descending: true,
        async rows(after, size) {
          const { page, params } = await statements();
          const rows = await sql.all<Row & { actor_name: string | null; grantee_name: string | null }>(page, {
            ...params,
            beforeSeq: after?.[0] ?? LIST_START.newest,
            limit: size,
          });
          return rows.map((row) => ({ ...fromRow(row), actorName: row.actor_name, granteeName: row.grantee_name }));
        },
        async count() {
          const { count, params } = await statements();
          return (await sql.value<number>(count, params)) ?? 0;
        },
        matches: (row, needle) => Boolean(row.actorName?.includes(needle) || row.granteeName?.includes(needle)),
      };
    },
    /**
     * The history rows about a person, newest first: changes to the grants they hold (whoever made
     * them) and to their own account. Keyed by time, then seq, to merge with their logins.
     */
    ofPerson: (personId: string): ListReader<PersonAuditRow> => ({
      kinds: ["number", "number"],
      keyOf: (row) => [row.at, row.seq],
      descending: true,
      rows: async (after, size) =>
        (
          await sql.all<Row & { unit_name: string | null; actor_name: string | null }>(personRows, {
            personId,
            beforeAt: after?.[0] ?? LIST_START.newest,
            beforeSeq: after?.[1] ?? LIST_START.newest,
            limit: size,
          })
        ).map((row) => ({ ...recordFromRow(row), unitName: row.unit_name, actorName: row.actor_name })),
      count: async () => (await sql.value<number>(personCount, { personId })) ?? 0,
      matches: (row, needle) => Boolean(row.action.includes(needle) || row.unitName?.includes(needle)),
    }),
    /** Every row as recorded, oldest first. */
    all: async () => (await sql.all<Row>(all)).map(recordFromRow),
  };
}

export type AuditStore = ReturnType<typeof auditStore>;
