import { randomUUID } from "node:crypto";
import type { DocumentType } from "../../shared/identity/documents.js";
import type { Clock } from "../clock.js";
import { DAY } from "../clock.js";
import type { Sql } from "../db/sql.js";
import { AppError } from "../errors.js";
import { countedGuess } from "../security/counted-guess.js";
import { type CodeHasher, randomCode } from "../security/secrets.js";

/** Seed: 注册码 valid 7 days, 6 random digits/letters. */
export const REGISTRATION_CODE_TTL = 7 * DAY;
export const REGISTRATION_CODE_MAX_FAILURES = 5;

export interface HallIdentity {
  docType: DocumentType;
  docNumber: string;
  name: string;
  nationality: string;
}

export interface IssuedRegistrationCode {
  code: string;
  expiresAt: number;
}

export interface RegistrationCodes {
  /** Issues a code bound to the person; any earlier unused code for the same document stops working. */
  issue(identity: HallIdentity): Promise<IssuedRegistrationCode>;
  /** Checks a code against the person (the code is bound to 证件, 姓名 and 国籍); a wrong one is counted (committed) before the refusal. Returns the code's id. */
  check(identity: HallIdentity, code: string): Promise<string>;
  /** True while the code is unused, not replaced and not expired. */
  isActive(codeId: string): Promise<boolean>;
  identityOf(codeId: string): Promise<HallIdentity | null>;
  /** Marks the code used, inside the caller's transaction; false if it no longer is active. */
  consume(codeId: string): Promise<boolean>;
}

export function registrationCodes(sql: Sql, clock: Clock, hasher: CodeHasher): RegistrationCodes {
  const purposeOf = (identity: HallIdentity) => `registration:${identity.docType}:${identity.docNumber}`;

  const identityOf = async (codeId: string): Promise<HallIdentity | null> => {
    const row = await sql.one<{ doc_type: DocumentType; doc_number: string; name: string; nationality: string }>(
      `SELECT doc_type, doc_number, name, nationality FROM registration_codes
       WHERE id = ? AND used_at IS NULL AND replaced_at IS NULL AND expires_at > ?`,
      [codeId, clock.now()],
    );
    return row
      ? { docType: row.doc_type, docNumber: row.doc_number, name: row.name, nationality: row.nationality }
      : null;
  };

  return {
    async issue(identity) {
      const code = randomCode(6);
      const now = clock.now();
      const expiresAt = now + REGISTRATION_CODE_TTL;
      await sql.transaction(async () => {
        await sql.run(
          `UPDATE registration_codes SET replaced_at = ?
           WHERE doc_type = ? AND doc_number = ? AND used_at IS NULL AND replaced_at IS NULL`,
          [now, identity.docType, identity.docNumber],
        );
        await sql.run(
          `INSERT INTO registration_codes (id, doc_type, doc_number, name, nationality, code_hash, issued_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            randomUUID(),
            identity.docType,
            identity.docNumber,
            identity.name,
            identity.nationality,
            hasher.digest(purposeOf(identity), code),
            now,
            expiresAt,
          ],
        );
      });
      return { code, expiresAt };
    },

    async check(identity, code) {
      const outcome = await sql.transaction(async () => {
        const row = await sql.one<{
          id: string;
          name: string;
          nationality: string;
          code_hash: string;
          failures: number;
        }>(
          `SELECT id, name, nationality, code_hash, failures FROM registration_codes
           WHERE doc_type = ? AND doc_number = ? AND used_at IS NULL AND replaced_at IS NULL AND expires_at > ?`,
          [identity.docType, identity.docNumber, clock.now()],
        );
        const result = await countedGuess(
          row,
          REGISTRATION_CODE_MAX_FAILURES,
          () =>
            row?.name === identity.name &&
            row.nationality === identity.nationality &&
            hasher.matches(purposeOf(identity), code.toUpperCase(), row.code_hash),
          () => sql.run("UPDATE registration_codes SET failures = failures + 1 WHERE id = ?", [row?.id ?? null]),
        );
        return { result, id: row?.id };
      });
      if (outcome.result === "locked") throw new AppError("REGISTRATION_CODE_LOCKED");
      if (outcome.result === "invalid" || !outcome.id) throw new AppError("REGISTRATION_CODE_INVALID");
      return outcome.id;
    },

    isActive: async (codeId) => (await identityOf(codeId)) !== null,
    identityOf,
    consume: async (codeId) =>
      (await sql.run(
        "UPDATE registration_codes SET used_at = ? WHERE id = ? AND used_at IS NULL AND replaced_at IS NULL AND expires_at > ?",
        [clock.now(), codeId, clock.now()],
      )) === 1,
  };
}
