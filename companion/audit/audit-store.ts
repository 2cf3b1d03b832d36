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

/** The advisory lock appends to the chain take turns on (PostgreSQL). */
const AUDIT_CHAIN_LOCK = 4_142_858;

/** Store queries for the history of grant and account changes (the audit_log table), read in seq order. */
export function auditStore(sql: Sql) {
  const last = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
  const insert = `INSERT INTO audit_log (seq, at, unit_tin, actor_id, actor_role, action, grant_id, before, after, prev_hash, hash)
     VALUES (@seq, @at, @unitTin, @actorId, @actorRole, @action, @grantId, @before, @after, @prevHash, @hash)`;
  const ofUnit = "SELECT * FROM audit_log WHERE unit_tin = ? ORDER BY seq";
  const historyPage = `SELECT a.*, actor.name AS actor_name, grantee.name AS grantee_name FROM audit_log a
     LEFT JOIN people actor ON actor.id = a.actor_id
     LEFT JOIN grants g ON g.id = a.grant_id LEFT JOIN grant_requests r ON r.id = a.grant_id
     LEFT JOIN people grantee ON grantee.id = COALESCE(g.grantee_id, r.requester_id)
     WHERE a.unit_tin = ? AND a.seq < ?
     ORDER BY a.seq DESC LIMIT ?`;
  const unitCount = "SELECT COUNT(*) FROM audit_log WHERE unit_tin = ?";
  const all = "SELECT * FROM audit_log ORDER BY seq";

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
    /** The unit's history, newest first; the search finds the actor's or the grantee's 姓名. */
    unitHistory: (tin: string): ListReader<HistoryRow> => ({
      kinds: ["number"],
      keyOf: (row) => [row.seq],
      descending: true,
      rows: async (after, size) =>
        (
          await sql.all<Row & { actor_name: string | null; grantee_name: string | null }>(historyPage, [
            tin,
            after?.[0] ?? LIST_START.newest,
            size,
          ])
        ).map((row) => ({ ...fromRow(row), actorName: row.actor_name, granteeName: row.grantee_name })),
      count: async () => (await sql.value<number>(unitCount, [tin])) ?? 0,
      matches: (row, needle) => Boolean(row.actorName?.includes(needle) || row.granteeName?.includes(needle)),
    }),
    /** Every row as recorded, oldest first. */
    all: async () => (await sql.all<Row>(all)).map(recordFromRow),
  };
}

export type AuditStore = ReturnType<typeof auditStore>;
