import { randomUUID } from "node:crypto";
import type { ManagerRole, Permission, TermType } from "../../shared/api/grants.js";
import type { DocumentType } from "../../shared/identity/documents.js";
import { joinedSql, jsonValuesSql } from "../db/dialect.js";
import { LIST_START, type ListReader, type SortKey } from "../db/paging.js";
import type { Sql, SqlParams } from "../db/sql.js";
import { activeSql, liveSql, needsReviewSql } from "./status.js";

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

/** A grant with what its views show, read in the same query: the people's names and 需复核. */
export interface GrantListing extends Grant {
  grantee: { name: string; docType: DocumentType; docNumber: string };
  grantorName: string;
  needsReview: boolean;
}

/** A grant in 我的办税权限, with its unit's name. */
export interface OwnGrant extends Grant {
  unitName: string;
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

interface ListingRow extends GrantRow {
  grantee_name: string;
  grantee_doc_type: DocumentType;
  grantee_doc_number: string;
  grantor_name: string | null;
  needs_review: number;
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

const listingFromRow = (row: ListingRow): GrantListing => ({
  ...fromRow(row),
  grantee: { name: row.grantee_name, docType: row.grantee_doc_type, docNumber: row.grantee_doc_number },
  grantorName: row.grantor_name ?? "",
  needsReview: row.needs_review === 1,
});

/** What 新增授权 decides about a grant; the rest starts the same for every grant. */
export type GrantTerms = Pick<
  Grant,
  | "unitTin"
  | "granteeId"
  | "permission"
  | "termType"
  | "startDate"
  | "endDate"
  | "grantedBy"
  | "grantedAs"
  | "grantorGrantId"
>;

/** A grant as 新增授权 makes it at `now`: a new id, nothing ended, reviewed or hidden yet. */
export const newGrant = (terms: GrantTerms, now: number): Grant => ({
  ...terms,
  id: randomUUID(),
  endedAt: null,
  endedBy: null,
  reviewedAt: null,
  hiddenByGranteeAt: null,
  termSetAt: now,
  createdAt: now,
  updatedAt: now,
});

const byCreation = (grant: Grant): SortKey => [grant.createdAt, grant.id];
const CREATION_KEY = ["number", "string"] as const;

/** A unit a person manages, with their roles there (officers first). */
export interface ManagedUnitRow {
  tin: string;
  name: string;
  roles: ManagerRole[];
}

/**
 * Store queries for grants. Every decision about one person and one unit reads only that pair's
 * rows, and every list is read a page at a time by an indexed query (ListReader), so neither slows
 * down as a person's grants or a unit's grantees grow.
 */
export function grantsStore(sql: Sql) {
  const listingColumns = `g.*, grantee.name AS grantee_name, grantee.doc_type AS grantee_doc_type,
    grantee.doc_number AS grantee_doc_number, grantor.name AS grantor_name,
    CASE WHEN ${needsReviewSql(sql.dialect, "g", "gg")} THEN 1 ELSE 0 END AS needs_review`;
  const listingJoins = `JOIN people grantee ON grantee.id = g.grantee_id
    LEFT JOIN people grantor ON grantor.id = g.granted_by
    LEFT JOIN grants gg ON gg.id = g.grantor_grant_id`;

  const byId = "SELECT * FROM grants WHERE id = ?";
  const listingById = `SELECT ${listingColumns} FROM grants g ${listingJoins} WHERE g.id = @id`;
  // No ORDER BY: the (grantee, unit) index answers this; ordering would invite the grantee's whole list.
  const ofPair = `SELECT * FROM grants g WHERE g.grantee_id = @personId AND g.unit_tin = @tin AND ${liveSql("g")}`;
  const unitPage = `SELECT ${listingColumns} FROM grants g ${listingJoins}
     WHERE g.unit_tin = @tin AND (g.created_at, g.id) > (@afterAt, @afterId)
     ORDER BY g.created_at, g.id LIMIT @limit`;
  const unitCount = "SELECT COUNT(*) FROM grants WHERE unit_tin = ?";
  // Per unit of a page, in one query each: its live grants, and those 需复核.
  const liveCounts = `SELECT g.unit_tin AS tin, COUNT(*) AS n FROM grants g
     WHERE g.unit_tin IN ${jsonValuesSql(sql.dialect, "tins")} AND ${liveSql("g")} GROUP BY g.unit_tin`;
  const reviewCounts = `SELECT g.unit_tin AS tin, COUNT(*) AS n FROM grants g JOIN grants gg ON gg.id = g.grantor_grant_id
     WHERE g.unit_tin IN ${jsonValuesSql(sql.dialect, "tins")} AND g.grantor_grant_id IS NOT NULL
       AND ${needsReviewSql(sql.dialect, "g", "gg")} GROUP BY g.unit_tin`;
  const ownPage = `SELECT g.*, unit.name AS unit_name FROM grants g JOIN units unit ON unit.tin = g.unit_tin
     WHERE g.grantee_id = @personId AND g.hidden_by_grantee_at IS NULL
       AND (g.created_at, g.id) > (@afterAt, @afterId)
     ORDER BY g.created_at, g.id LIMIT @limit`;
  const ownCount = "SELECT COUNT(*) FROM grants g WHERE g.grantee_id = @personId AND g.hidden_by_grantee_at IS NULL";
  // 有效 and ending by @soon, read as a range of the (grantee, end date) index.
  const endingSoon = `SELECT COUNT(*) FROM grants g WHERE g.grantee_id = @personId AND g.end_date BETWEEN @today AND @soon
       AND g.hidden_by_grantee_at IS NULL AND g.ended_by IS NULL AND g.start_date <= @today`;

  // Units a person manages on @today: by office (matched by document and name), or by an active
  // 管理权限 grant. Each side is read in 纳税人识别号 order from its (covering) index.
  const inOfficeSql = `o.doc_type = @docType AND o.doc_number = @docNumber AND o.name = @name
       AND o.start_date <= @today AND (o.end_date IS NULL OR o.end_date >= @today)`;
  const managingSql = `g.grantee_id = @personId AND g.permission = '管理权限' AND ${activeSql("g")}`;
  const officePage = `SELECT o.unit_tin AS tin, ${joinedSql(sql.dialect, "o.role")} AS roles FROM unit_officers o
     WHERE ${inOfficeSql} AND o.unit_tin > @after
     GROUP BY o.unit_tin ORDER BY o.unit_tin LIMIT @limit`;
  const managementPage = `SELECT g.unit_tin AS tin, '管理权限' AS roles FROM grants g
     WHERE ${managingSql} AND g.unit_tin > @after
     GROUP BY g.unit_tin ORDER BY g.unit_tin LIMIT @limit`;
  // Units by office plus units by grant, less those held both ways.
  const managedCount = `SELECT (SELECT COUNT(DISTINCT o.unit_tin) FROM unit_officers o WHERE ${inOfficeSql})
         + (SELECT COUNT(DISTINCT g.unit_tin) FROM grants g WHERE ${managingSql})
         - (SELECT COUNT(DISTINCT g.unit_tin) FROM grants g WHERE ${managingSql}
              AND EXISTS (SELECT 1 FROM unit_officers o WHERE ${inOfficeSql} AND o.unit_tin = g.unit_tin))`;
  const managesAny = `SELECT CASE WHEN EXISTS (SELECT 1 FROM unit_officers o WHERE o.doc_type = @docType AND o.doc_number = @docNumber
         AND o.name = @name AND o.start_date <= @today AND (o.end_date IS NULL OR o.end_date >= @today))
       OR EXISTS (SELECT 1 FROM grants g WHERE g.grantee_id = @personId AND g.permission = '管理权限' AND ${activeSql("g")})
       THEN 1 ELSE 0 END`;
  const unitNames = `SELECT tin, name FROM units WHERE tin IN ${jsonValuesSql(sql.dialect, "tins")}`;
  const roleOrder: ManagerRole[] = ["法定代表人", "财务负责人", "管理权限"];
  const managementGrantees = `SELECT DISTINCT g.grantee_id FROM grants g
       WHERE g.unit_tin = @tin AND g.permission = '管理权限' AND ${activeSql("g")}`;

  const ofUnit = "SELECT * FROM grants WHERE unit_tin = ? ORDER BY created_at, id";
  const insert = `INSERT INTO grants (id, unit_tin, grantee_id, permission, term_type, start_date, end_date, granted_by, granted_as,
       grantor_grant_id, term_set_at, created_at, updated_at)
     VALUES (@id, @unitTin, @granteeId, @permission, @termType, @startDate, @endDate, @grantedBy, @grantedAs,
       @grantorGrantId, @termSetAt, @createdAt, @updatedAt)`;
  const updateTerm = `UPDATE grants SET permission = @permission, term_type = @termType, start_date = @startDate, end_date = @endDate,
       reviewed_at = @reviewedAt, term_set_at = @termSetAt, updated_at = @updatedAt WHERE id = @id`;
  const end = "UPDATE grants SET ended_at = ?, ended_by = ?, updated_at = ? WHERE id = ?";
  const review = "UPDATE grants SET reviewed_at = ?, updated_at = ? WHERE id = ?";
  const hide = "UPDATE grants SET hidden_by_grantee_at = ?, updated_at = ? WHERE id = ?";

  const afterCreation = (after: SortKey | null) => ({
    afterAt: after?.[0] ?? LIST_START.number,
    afterId: after?.[1] ?? LIST_START.string,
  });
  const count = async (text: string, params: SqlParams) => (await sql.value<number>(text, params)) ?? 0;
  const grants = async (text: string, params: SqlParams) => (await sql.all<GrantRow>(text, params)).map(fromRow);
  const personParams = (
    person: { id: string; docType: DocumentType; docNumber: string; name: string },
    today: string,
  ) => ({ personId: person.id, docType: person.docType, docNumber: person.docNumber, name: person.name, today });

  return {
    byId: async (id: string) => {
      const row = await sql.one<GrantRow>(byId, [id]);
      return row ? fromRow(row) : null;
    },
    async listing(id: string, today: string): Promise<GrantListing | null> {
      const row = await sql.one<ListingRow>(listingById, { id, today });
      return row ? listingFromRow(row) : null;
    },
    /** The person's grants at the unit that still stand on that date (有效 or 未生效). */
    liveOfPair: (personId: string, tin: string, today: string): Promise<Grant[]> =>
      grants(ofPair, { personId, tin, today }),

    /** The unit's grants, oldest first; the search finds a grantee by 姓名 (part of it) or the whole 证件号码. */
    unitGrants: (tin: string, today: string): ListReader<GrantListing> => ({
      kinds: CREATION_KEY,
      keyOf: byCreation,
      rows: async (after, size) =>
        (await sql.all<ListingRow>(unitPage, { tin, today, ...afterCreation(after), limit: size })).map(listingFromRow),
      count: () => count(unitCount, [tin]),
      matches: (grant, needle) =>
        grant.grantee.name.includes(needle) || grant.grantee.docNumber === needle.toUpperCase(),
    }),
    /** Each unit's live grants and those 需复核, counted on that date. */
    async unitCounts(tins: string[], today: string): Promise<(tin: string) => { live: number; review: number }> {
      const params = { tins: JSON.stringify(tins), today };
      const counted = async (text: string) =>
        new Map((await sql.all<{ tin: string; n: number }>(text, params)).map((r) => [r.tin, r.n]));
      const [live, review] = await Promise.all([counted(liveCounts), counted(reviewCounts)]);
      return (tin) => ({ live: live.get(tin) ?? 0, review: review.get(tin) ?? 0 });
    },

    /** 我的办税权限 (not hidden by the grantee), oldest first; the search finds a 纳税人识别号 or 名称. */
    ownGrants: (personId: string): ListReader<OwnGrant> => ({
      kinds: CREATION_KEY,
      keyOf: byCreation,
      rows: async (after, size) =>
        (
          await sql.all<GrantRow & { unit_name: string }>(ownPage, { personId, ...afterCreation(after), limit: size })
        ).map((row) => ({ ...fromRow(row), unitName: row.unit_name })),
      count: () => count(ownCount, { personId }),
      matches: (grant, needle) => grant.unitTin.includes(needle.toUpperCase()) || grant.unitName.includes(needle),
    }),
    /** The person's 有效 grants that end on or before `soon`. */
    endingSoonCount: (personId: string, today: string, soon: string) => count(endingSoon, { personId, today, soon }),

    /** The units a person manages on that date, by 纳税人识别号; the search finds a 纳税人识别号 or 名称. */
    managedUnits(
      person: { id: string; docType: DocumentType; docNumber: string; name: string },
      today: string,
    ): ListReader<ManagedUnitRow> {
      const who = personParams(person, today);
      return {
        kinds: ["string"],
        keyOf: (unit) => [unit.tin],
        async rows(after, size) {
          // Each side cut at `size`: the first `size` of their union are among those.
          const params = { ...who, after: after?.[0] ?? LIST_START.string, limit: size };
          const roles = new Map<string, Set<ManagerRole>>();
          const sides = await Promise.all([
            sql.all<{ tin: string; roles: string }>(officePage, params),
            sql.all<{ tin: string; roles: string }>(managementPage, params),
          ]);
          for (const row of sides.flat()) {
            const held = roles.get(row.tin) ?? new Set<ManagerRole>();
            for (const role of row.roles.split(",")) held.add(role as ManagerRole);
            roles.set(row.tin, held);
          }
          const tins = [...roles.keys()].sort().slice(0, size);
          // The page's names in one query, not one per unit.
          const names = new Map(
            (await sql.all<{ tin: string; name: string }>(unitNames, { tins: JSON.stringify(tins) })).map((row) => [
              row.tin,
              row.name,
            ]),
          );
          return tins.map((tin) => ({
            tin,
            name: names.get(tin) ?? "",
            roles: roleOrder.filter((role) => roles.get(tin)?.has(role)),
          }));
        },
        count: () => count(managedCount, who),
        matches: (unit, needle) =>
          unit.tin.includes(needle.toUpperCase()) || unit.name.toUpperCase().includes(needle.toUpperCase()),
      };
    },
    managesAny: async (
      person: { id: string; docType: DocumentType; docNumber: string; name: string },
      today: string,
    ): Promise<boolean> => (await sql.value<number>(managesAny, personParams(person, today))) === 1,
    /** Holders of an active 管理权限 grant at the unit on that date. */
    managementGranteeIds: async (tin: string, today: string) =>
      (await sql.all<{ grantee_id: string }>(managementGrantees, { tin, today })).map((row) => row.grantee_id),

    /** Every grant of the unit (the hall CLI's 单位 view and the property test's clean-up). */
    ofUnit: (tin: string) => grants(ofUnit, [tin]),
    insert: (grant: Grant) => sql.run(insert, { ...grant }),
    updateTerm: (grant: Grant) => sql.run(updateTerm, { ...grant }),
    end: (id: string, by: "unit" | "self", at: number) => sql.run(end, [at, by, at, id]),
    markReviewed: (id: string, at: number) => sql.run(review, [at, at, id]),
    hideForGrantee: (id: string, at: number) => sql.run(hide, [at, at, id]),
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
  };
}

export type GrantsStore = ReturnType<typeof grantsStore>;
