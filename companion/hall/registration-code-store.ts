import type { DocumentType } from "../../shared/identity/documents.js";
import { forUpdateSql } from "../db/dialect.js";
import type { Sql } from "../db/sql.js";

/** Who a 注册码 is bound to. */
export interface HallIdentity {
  docType: DocumentType;
  docNumber: string;
  name: string;
  nationality: string;
}

/** A code that is unused, not replaced and not expired, with what it is checked against. */
export interface LiveRegistrationCode {
  id: string;
  name: string;
  nationality: string;
  codeHash: string;
}

export interface NewRegistrationCode extends HallIdentity {
  id: string;
  codeHash: string;
  issuedAt: number;
  expiresAt: number;
}

const LIVE = "used_at IS NULL AND replaced_at IS NULL AND expires_at > @now";
const REPLACE_UNUSED = `UPDATE registration_codes SET replaced_at = @now
  WHERE doc_type = @docType AND doc_number = @docNumber AND used_at IS NULL AND replaced_at IS NULL`;
const INSERT = `INSERT INTO registration_codes (id, doc_type, doc_number, name, nationality, code_hash, issued_at, expires_at)
  VALUES (@id, @docType, @docNumber, @name, @nationality, @codeHash, @issuedAt, @expiresAt)`;
const LIVE_CODE_OF = `SELECT id, name, nationality, code_hash FROM registration_codes
  WHERE doc_type = @docType AND doc_number = @docNumber AND ${LIVE}`;
const LIVE_IDENTITY = `SELECT doc_type, doc_number, name, nationality FROM registration_codes WHERE id = @id AND ${LIVE}`;
const MARK_USED = `UPDATE registration_codes SET used_at = @now WHERE id = @id AND ${LIVE}`;

/** 大厅注册码, each kept hashed and bound to one person's document. */
export function registrationCodeStore(sql: Sql) {
  const lockedLiveCodeOf = LIVE_CODE_OF + forUpdateSql(sql.dialect);
  return {
    /** Retires the document's codes not yet used. */
    replaceUnused: (docType: DocumentType, docNumber: string, now: number) =>
      sql.run(REPLACE_UNUSED, { docType, docNumber, now }),
    insert: (code: NewRegistrationCode) => sql.run(INSERT, { ...code }),
    /**
     * The document's live code, read to check a guess inside the transaction that counts it: its row
     * is locked until that transaction ends, so a guess on another companion waits for this count.
     */
    async lockedLiveCodeOf(
      docType: DocumentType,
      docNumber: string,
      now: number,
    ): Promise<LiveRegistrationCode | undefined> {
      const row = await sql.one<{ id: string; name: string; nationality: string; code_hash: string }>(
        lockedLiveCodeOf,
        { docType, docNumber, now },
      );
      return row && { id: row.id, name: row.name, nationality: row.nationality, codeHash: row.code_hash };
    },
    /** Whom a live code is bound to, or null. */
    async liveIdentity(id: string, now: number): Promise<HallIdentity | null> {
      const row = await sql.one<{ doc_type: DocumentType; doc_number: string; name: string; nationality: string }>(
        LIVE_IDENTITY,
        { id, now },
      );
      return row
        ? { docType: row.doc_type, docNumber: row.doc_number, name: row.name, nationality: row.nationality }
        : null;
    },
    /** Marks a live code used; false if it no longer was live. */
    markUsed: async (id: string, now: number) => (await sql.run(MARK_USED, { id, now })) === 1,
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
  };
}

export type RegistrationCodeStore = ReturnType<typeof registrationCodeStore>;
