import { forUpdateSql } from "../db/dialect.js";
import type { Sql } from "../db/sql.js";

/** A passed face check as recorded, until its registration uses it. */
export interface FaceVerification {
  id: string;
  docNumber: string;
  name: string;
  verifiedAt: number;
  expiresAt: number;
}

/** Store queries for face checks: each 居民身份证's failures per day, and the passed checks. */
export function faceVerificationStore(sql: Sql) {
  // A row at 0 counts the same as no row; it gives the day's first check a row to lock.
  const ensureDay = `INSERT INTO face_failures (doc_number, day, failures) VALUES (?, ?, 0)
     ON CONFLICT (doc_number, day) DO NOTHING`;
  const lockedFailuresOn = `SELECT failures FROM face_failures WHERE doc_number = ? AND day = ?${forUpdateSql(sql.dialect)}`;
  const countFailure = `INSERT INTO face_failures (doc_number, day, failures) VALUES (?, ?, 1)
     ON CONFLICT (doc_number, day) DO UPDATE SET failures = face_failures.failures + 1`;
  const refundFailure = "UPDATE face_failures SET failures = failures - 1 WHERE doc_number = ? AND day = ?";
  const insert = `INSERT INTO face_verifications (id, doc_number, name, verified_at, expires_at)
     VALUES (@id, @docNumber, @name, @verifiedAt, @expiresAt)`;
  const unused = "SELECT doc_number, name FROM face_verifications WHERE id = ? AND used_at IS NULL AND expires_at > ?";
  const use = "UPDATE face_verifications SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?";

  return {
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
    /**
     * The failed checks counted for the 居民身份证 on that Asia/Shanghai day, read to decide a check
     * inside the transaction that counts it: the row is locked until that transaction ends, so a
     * check on another companion waits and reads this one's count.
     */
    async lockedFailuresOn(docNumber: string, day: string): Promise<number> {
      await sql.run(ensureDay, [docNumber, day]);
      return (await sql.value<number>(lockedFailuresOn, [docNumber, day])) ?? 0;
    },
    countFailure: (docNumber: string, day: string) => sql.run(countFailure, [docNumber, day]),
    refundFailure: (docNumber: string, day: string) => sql.run(refundFailure, [docNumber, day]),
    insertVerification: (verification: FaceVerification) => sql.run(insert, { ...verification }),
    /** Who a passed check is of, while it is neither used nor expired at `now`. */
    async unusedVerification(id: string, now: number): Promise<{ docNumber: string; name: string } | null> {
      const row = await sql.one<{ doc_number: string; name: string }>(unused, [id, now]);
      return row ? { docNumber: row.doc_number, name: row.name } : null;
    },
    /** Marks a passed check used; false when it was already used or had expired. */
    markUsed: async (id: string, now: number) => (await sql.run(use, [now, id, now])) === 1,
  };
}

export type FaceVerificationStore = ReturnType<typeof faceVerificationStore>;
