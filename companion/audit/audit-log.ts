import { LIST_START, type ListReader } from "../db/paging.js";
import type { Sql } from "../db/sql.js";
import type { Keychain } from "../keychain/keychain.js";
import type { CodeHasher } from "../security/secrets.js";

export type AuditAction = "新增授权" | "变更" | "解除授权" | "本人解除" | "本人删除" | "复核保留";

export interface AuditEntry {
  at: number;
  unitTin: string;
  actorId: string;
  actorRole: string;
  action: AuditAction;
  grantId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface AuditRow extends AuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

interface Row {
  seq: number;
  at: number;
  unit_tin: string;
  actor_id: string;
  actor_role: string;
  action: AuditAction;
  grant_id: string;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}

const GENESIS = "0".repeat(64);

const fromRow = (row: Row): AuditRow => ({
  seq: row.seq,
  at: row.at,
  unitTin: row.unit_tin,
  actorId: row.actor_id,
  actorRole: row.actor_role,
  action: row.action,
  grantId: row.grant_id,
  before: row.before === null ? null : (JSON.parse(row.before) as Record<string, unknown>),
  after: row.after === null ? null : (JSON.parse(row.after) as Record<string, unknown>),
  prevHash: row.prev_hash,
  hash: row.hash,
});

/** A history row with the names it shows. */
export interface HistoryRow extends AuditRow {
  actorName: string | null;
  granteeName: string | null;
}

export type VerifyResult =
  | { ok: true; rows: number; head: string }
  | { ok: false; rows: number; problem: string; seq?: number };

/**
 * The append-only history of every grant change. Each row carries an HMAC (under the pepper in
 * the OS keychain) of its content and the previous row's hash, so editing or removing a row breaks
 * the chain; the head (last seq and hash) is also kept in the keychain, so cutting rows off the end
 * shows too.
 */
export function auditLog(sql: Sql, hasher: CodeHasher, keychain: Keychain, instanceId: string) {
  const last = () =>
    sql.one<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  const anchorAccount = `audit-head:${instanceId}`;

  const digest = (seq: number, entry: AuditEntry, before: string | null, after: string | null, prevHash: string) =>
    hasher.digest(
      "audit",
      JSON.stringify([
        seq,
        entry.at,
        entry.unitTin,
        entry.actorId,
        entry.actorRole,
        entry.action,
        entry.grantId,
        before,
        after,
        prevHash,
      ]),
    );

  return {
    /** Appends inside the caller's transaction; call anchorHead() after the commit. */
    async append(entry: AuditEntry): Promise<void> {
      const previous = await last();
      const seq = (previous?.seq ?? 0) + 1;
      const prevHash = previous?.hash ?? GENESIS;
      const before = entry.before === null ? null : JSON.stringify(entry.before);
      const after = entry.after === null ? null : JSON.stringify(entry.after);
      await sql.run(
        `INSERT INTO audit_log (seq, at, unit_tin, actor_id, actor_role, action, grant_id, before, after, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          seq,
          entry.at,
          entry.unitTin,
          entry.actorId,
          entry.actorRole,
          entry.action,
          entry.grantId,
          before,
          after,
          prevHash,
          digest(seq, entry, before, after, prevHash),
        ],
      );
    },

    /** Records the current head in the keychain. */
    async anchorHead(): Promise<void> {
      const head = await last();
      if (head) await keychain.set(anchorAccount, `${head.seq}:${head.hash}`);
    },

    ofUnit: async (tin: string) =>
      (await sql.all<Row>("SELECT * FROM audit_log WHERE unit_tin = ? ORDER BY seq", [tin])).map(fromRow),

    /** The unit's history, newest first; the search finds the actor's or the grantee's 姓名. */
    unitHistory: (tin: string): ListReader<HistoryRow> => ({
      kinds: ["number"],
      keyOf: (row) => [row.seq],
      descending: true,
      rows: async (after, size) =>
        (
          await sql.all<Row & { actor_name: string | null; grantee_name: string | null }>(
            `SELECT a.*, actor.name AS actor_name, grantee.name AS grantee_name FROM audit_log a
             LEFT JOIN people actor ON actor.id = a.actor_id
             LEFT JOIN grants g ON g.id = a.grant_id LEFT JOIN people grantee ON grantee.id = g.grantee_id
             WHERE a.unit_tin = ? AND a.seq < ?
             ORDER BY a.seq DESC LIMIT ?`,
            [tin, after?.[0] ?? LIST_START.newest, size],
          )
        ).map((row) => ({ ...fromRow(row), actorName: row.actor_name, granteeName: row.grantee_name })),
      count: async () => (await sql.value<number>("SELECT COUNT(*) FROM audit_log WHERE unit_tin = ?", [tin])) ?? 0,
      matches: (row, needle) => Boolean(row.actorName?.includes(needle) || row.granteeName?.includes(needle)),
    }),

    async verify(): Promise<VerifyResult> {
      const rows = await sql.all<Row>("SELECT * FROM audit_log ORDER BY seq");
      let prevHash = GENESIS;
      for (const [index, row] of rows.entries()) {
        if (row.seq !== index + 1)
          return { ok: false, rows: rows.length, seq: index + 1, problem: `第 ${index + 1} 条记录缺失` };
        if (row.prev_hash !== prevHash)
          return {
            ok: false,
            rows: rows.length,
            seq: row.seq,
            problem: `第 ${row.seq} 条记录的前序哈希不符（之前的记录被改动或删除）`,
          };
        const entry = fromRow(row);
        if (digest(row.seq, entry, row.before, row.after, row.prev_hash) !== row.hash) {
          return { ok: false, rows: rows.length, seq: row.seq, problem: `第 ${row.seq} 条记录的内容被改动` };
        }
        prevHash = row.hash;
      }
      const anchor = await keychain.get(anchorAccount);
      const head = rows.at(-1);
      if (anchor) {
        const [seqText, hash] = anchor.split(":");
        const anchoredSeq = Number(seqText);
        const anchored = rows[anchoredSeq - 1];
        if (!anchored)
          return { ok: false, rows: rows.length, problem: `末尾的记录被删除（钥匙串记录到第 ${anchoredSeq} 条）` };
        if (anchored.hash !== hash)
          return {
            ok: false,
            rows: rows.length,
            seq: anchoredSeq,
            problem: `第 ${anchoredSeq} 条记录与钥匙串中的记录不符`,
          };
      } else if (head) {
        return { ok: false, rows: rows.length, problem: "钥匙串中没有变更记录的校验点" };
      }
      return { ok: true, rows: rows.length, head: head?.hash ?? GENESIS };
    },
  };
}

export type AuditLog = ReturnType<typeof auditLog>;
