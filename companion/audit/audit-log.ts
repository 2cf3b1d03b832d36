import type { SecretVault } from "../security/secret-vault.js";
import type { CodeHasher } from "../security/secrets.js";
import type { AuditEntry, AuditRecord, AuditStore } from "./audit-store.js";

// What callers hand the log, defined with the rows that record it.
export type { AccountAction, AuditEntry, GrantAction, GrantRequestAction } from "./audit-store.js";

const GENESIS = "0".repeat(64);

export type VerifyResult =
  | { ok: true; rows: number; head: string }
  | { ok: false; rows: number; problem: string; seq?: number };

export interface AuditDeps {
  store: AuditStore;
  hasher: CodeHasher;
  vault: SecretVault;
}

/**
 * The append-only history of every grant change, and of every change to a person's account (phone,
 * password; tied to no unit). Each row carries an HMAC (under the pepper in the secret vault) of its
 * content and the previous row's hash, so editing or removing a row breaks the chain; the head (last
 * seq and hash) is also kept in the vault, so cutting rows off the end shows too.
 */
export function auditService({ store, hasher, vault }: AuditDeps) {
  const anchorName = "audit-head";

  const digest = (record: Omit<AuditRecord, "hash">) =>
    hasher.digest(
      "audit",
      JSON.stringify([
        record.seq,
        record.at,
        record.unitTin,
        record.actorId,
        record.actorRole,
        record.action,
        record.grantId,
        record.before,
        record.after,
        record.prevHash,
      ]),
    );

  return {
    /** Appends inside the caller's transaction; call anchorHead() after the commit. */
    async append(entry: AuditEntry): Promise<void> {
      const previous = await store.lastForAppend();
      const record = {
        ...entry,
        seq: (previous?.seq ?? 0) + 1,
        before: entry.before === null ? null : JSON.stringify(entry.before),
        after: entry.after === null ? null : JSON.stringify(entry.after),
        prevHash: previous?.hash ?? GENESIS,
      };
      await store.insert({ ...record, hash: digest(record) });
    },

    /** Records the current head in the vault. */
    async anchorHead(): Promise<void> {
      const head = await store.last();
      if (head) await vault.set(anchorName, `${head.seq}:${head.hash}`);
    },

    ofUnit: store.ofUnit,
    unitHistory: store.unitHistory,
    ofPerson: store.ofPerson,

    async verify(): Promise<VerifyResult> {
      const rows = await store.all();
      let prevHash = GENESIS;
      for (const [index, row] of rows.entries()) {
        if (row.seq !== index + 1)
          return { ok: false, rows: rows.length, seq: index + 1, problem: `第 ${index + 1} 条记录缺失` };
        if (row.prevHash !== prevHash)
          return {
            ok: false,
            rows: rows.length,
            seq: row.seq,
            problem: `第 ${row.seq} 条记录的前序哈希不符（之前的记录被改动或删除）`,
          };
        if (digest(row) !== row.hash) {
          return { ok: false, rows: rows.length, seq: row.seq, problem: `第 ${row.seq} 条记录的内容被改动` };
        }
        prevHash = row.hash;
      }
      const anchor = await vault.get(anchorName);
      const head = rows.at(-1);
      if (anchor) {
        const [seqText, hash] = anchor.split(":");
        const anchoredSeq = Number(seqText);
        const anchored = rows[anchoredSeq - 1];
        if (!anchored)
          return { ok: false, rows: rows.length, problem: `末尾的记录被删除（校验点记录到第 ${anchoredSeq} 条）` };
        if (anchored.hash !== hash)
          return {
            ok: false,
            rows: rows.length,
            seq: anchoredSeq,
            problem: `第 ${anchoredSeq} 条记录与校验点不符`,
          };
      } else if (head) {
        return { ok: false, rows: rows.length, problem: "没有变更记录的校验点" };
      }
      return { ok: true, rows: rows.length, head: head?.hash ?? GENESIS };
    },
  };
}

export type AuditLog = ReturnType<typeof auditService>;
