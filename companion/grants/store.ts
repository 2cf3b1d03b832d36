import type { ManagerRole, Permission, TermType } from "../../shared/api/grants.js";
import type { Db } from "../db/database.js";

export interface Grant {
  id: string;
  unitTin: string;
  granteeId: string;
  permission: Permission;
  termType: TermType;
  startDate: string;
  endDate: string | null;
  grantedBy: string;
  grantedAs: ManagerRole;
  grantorGrantId: string | null;
  endedAt: number | null;
  endedBy: "unit" | "self" | null;
  reviewedAt: number | null;
  hiddenByGranteeAt: number | null;
  /** When the term was last set (新增授权 or 变更). */
  termSetAt: number;
  createdAt: number;
  updatedAt: number;
}

interface GrantRow {
  id: string;
  unit_tin: string;
  grantee_id: string;
  permission: Permission;
  term_type: TermType;
  start_date: string;
  end_date: string | null;
  granted_by: string;
  granted_as: ManagerRole;
  grantor_grant_id: string | null;
  ended_at: number | null;
  ended_by: "unit" | "self" | null;
  reviewed_at: number | null;
  hidden_by_grantee_at: number | null;
  term_set_at: number;
  created_at: number;
  updated_at: number;
}

const fromRow = (row: GrantRow): Grant => ({
  id: row.id,
  unitTin: row.unit_tin,
  granteeId: row.grantee_id,
  permission: row.permission,
  termType: row.term_type,
  startDate: row.start_date,
  endDate: row.end_date,
  grantedBy: row.granted_by,
  grantedAs: row.granted_as,
  grantorGrantId: row.grantor_grant_id,
  endedAt: row.ended_at,
  endedBy: row.ended_by,
  reviewedAt: row.reviewed_at,
  hiddenByGranteeAt: row.hidden_by_grantee_at,
  termSetAt: row.term_set_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Store queries for grants. */
export function grantsStore(db: Db) {
  const byId = db.prepare("SELECT * FROM grants WHERE id = ?");
  const ofUnit = db.prepare("SELECT * FROM grants WHERE unit_tin = ? ORDER BY created_at, id");
  const ofGrantee = db.prepare("SELECT * FROM grants WHERE grantee_id = ? ORDER BY created_at, id");
  const madeUnder = db.prepare("SELECT * FROM grants WHERE grantor_grant_id = ?");
  const insert = db.prepare(
    `INSERT INTO grants (id, unit_tin, grantee_id, permission, term_type, start_date, end_date, granted_by, granted_as,
       grantor_grant_id, term_set_at, created_at, updated_at)
     VALUES (@id, @unitTin, @granteeId, @permission, @termType, @startDate, @endDate, @grantedBy, @grantedAs,
       @grantorGrantId, @termSetAt, @createdAt, @updatedAt)`,
  );
  const updateTerm = db.prepare(
    `UPDATE grants SET permission = @permission, term_type = @termType, start_date = @startDate, end_date = @endDate,
       reviewed_at = @reviewedAt, term_set_at = @termSetAt, updated_at = @updatedAt WHERE id = @id`,
  );
  const end = db.prepare("UPDATE grants SET ended_at = ?, ended_by = ?, updated_at = ? WHERE id = ?");
  const review = db.prepare("UPDATE grants SET reviewed_at = ?, updated_at = ? WHERE id = ?");
  const hide = db.prepare("UPDATE grants SET hidden_by_grantee_at = ?, updated_at = ? WHERE id = ?");

  return {
    byId: (id: string) => {
      const row = byId.get(id) as GrantRow | undefined;
      return row ? fromRow(row) : null;
    },
    ofUnit: (tin: string) => (ofUnit.all(tin) as GrantRow[]).map(fromRow),
    ofGrantee: (personId: string) => (ofGrantee.all(personId) as GrantRow[]).map(fromRow),
    madeUnder: (grantId: string) => (madeUnder.all(grantId) as GrantRow[]).map(fromRow),
    insert: (grant: Grant) => insert.run(grant),
    updateTerm: (grant: Grant) => updateTerm.run(grant),
    end: (id: string, by: "unit" | "self", at: number) => end.run(at, by, at, id),
    markReviewed: (id: string, at: number) => review.run(at, at, id),
    hideForGrantee: (id: string, at: number) => hide.run(at, at, id),
  };
}

export type GrantsStore = ReturnType<typeof grantsStore>;
