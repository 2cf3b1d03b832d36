import { randomUUID } from "node:crypto";
import type { GrantRequestState } from "../../shared/api/grant-requests.js";
import type { Permission, TermType } from "../../shared/api/grants.js";
import type { DocumentType } from "../../shared/identity/documents.js";
import { forUpdateSql, keyLockSql } from "../db/dialect.js";
import { LIST_START, type ListReader, type SortKey } from "../db/paging.js";
import type { Sql, SqlParams } from "../db/sql.js";

/**
 * A request's state as written: a 待审批 row past expires_at is read as 已过期, and written so only
 * to free its person and unit for a new request.
 */
export type StoredState = GrantRequestState;

export interface GrantRequest {
  id: string;
  unitTin: string;
  requesterId: string;
  permission: Permission;
  termType: TermType;
  startDate: string;
  endDate: string | null;
  note: string;
  state: StoredState;
  reason: string | null;
  decidedBy: string | null;
  decidedAt: number | null;
  createdAt: number;
  expiresAt: number;
}

/** A request with the names its views show, read in the same query. */
export interface GrantRequestListing extends GrantRequest {
  unitName: string;
  requester: { name: string; docType: DocumentType; docNumber: string };
}

interface Row {
  id: string;
  unit_tin: string;
  requester_id: string;
  permission: Permission;
  term_type: TermType;
  start_date: string;
  end_date: string | null;
  note: string;
  state: StoredState;
  reason: string | null;
  decided_by: string | null;
  decided_at: number | null;
  created_at: number;
  expires_at: number;
}

interface ListingRow extends Row {
  unit_name: string;
  requester_name: string;
  requester_doc_type: DocumentType;
  requester_doc_number: string;
}

const fromRow = (row: Row): GrantRequest => ({
  id: row.id,
  unitTin: row.unit_tin,
  requesterId: row.requester_id,
  permission: row.permission,
  termType: row.term_type,
  startDate: row.start_date,
  endDate: row.end_date,
  note: row.note,
  state: row.state,
  reason: row.reason,
  decidedBy: row.decided_by,
  decidedAt: row.decided_at === null ? null : Number(row.decided_at),
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
});

const listingFromRow = (row: ListingRow): GrantRequestListing => ({
  ...fromRow(row),
  unitName: row.unit_name,
  requester: { name: row.requester_name, docType: row.requester_doc_type, docNumber: row.requester_doc_number },
});

export type NewGrantRequest = Pick<
  GrantRequest,
  "unitTin" | "requesterId" | "permission" | "termType" | "startDate" | "endDate" | "note"
>;

const byCreation = (request: GrantRequest): SortKey => [request.createdAt, request.id];
const CREATION_KEY = ["number", "string"] as const;

/**
 * Store queries for 申请授权. A person's asks take turns on a lock of their own (PostgreSQL), so
 * the pending and daily counts they are checked against stay true until the insert.
 */
export function grantRequestsStore(sql: Sql) {
  const listingColumns = `r.*, unit.name AS unit_name, requester.name AS requester_name,
    requester.doc_type AS requester_doc_type, requester.doc_number AS requester_doc_number`;
  const listingJoins = `JOIN units unit ON unit.tin = r.unit_tin JOIN people requester ON requester.id = r.requester_id`;

  const insert = `INSERT INTO grant_requests (id, unit_tin, requester_id, permission, term_type, start_date, end_date, note,
       state, created_at, expires_at)
     VALUES (@id, @unitTin, @requesterId, @permission, @termType, @startDate, @endDate, @note, '待审批', @createdAt, @expiresAt)`;
  const byId = `SELECT * FROM grant_requests WHERE id = ?${forUpdateSql(sql.dialect)}`;
  const listingById = `SELECT ${listingColumns} FROM grant_requests r ${listingJoins} WHERE r.id = ?`;
  const pendingOfPair = `SELECT * FROM grant_requests WHERE requester_id = ? AND unit_tin = ? AND state = '待审批'`;
  const pendingCount = `SELECT COUNT(*) FROM grant_requests WHERE requester_id = ? AND state = '待审批' AND expires_at > ?`;
  const madeSince = `SELECT COUNT(*) FROM grant_requests WHERE requester_id = ? AND created_at > ?`;
  const oldestSince = `SELECT MIN(created_at) FROM grant_requests WHERE requester_id = ? AND created_at > ?`;
  const decide = `UPDATE grant_requests SET state = @state, reason = @reason, decided_by = @decidedBy, decided_at = @decidedAt,
       permission = @permission, term_type = @termType, start_date = @startDate, end_date = @endDate
     WHERE id = @id`;
  const unitPendingPage = `SELECT ${listingColumns} FROM grant_requests r ${listingJoins}
     WHERE r.unit_tin = @tin AND r.state = '待审批' AND r.expires_at > @now AND (r.created_at, r.id) > (@afterAt, @afterId)
     ORDER BY r.created_at, r.id LIMIT @limit`;
  const unitPendingCount = `SELECT COUNT(*) FROM grant_requests WHERE unit_tin = ? AND state = '待审批' AND expires_at > ?`;
  const ownPage = `SELECT ${listingColumns} FROM grant_requests r ${listingJoins}
     WHERE r.requester_id = @personId AND (r.created_at, r.id) < (@beforeAt, @beforeId)
     ORDER BY r.created_at DESC, r.id DESC LIMIT @limit`;
  const ownCount = "SELECT COUNT(*) FROM grant_requests WHERE requester_id = ?";

  const count = async (text: string, params: SqlParams) => Number((await sql.value<number>(text, params)) ?? 0);

  return {
    /** Holds the person's lock until the transaction ends (PostgreSQL; SQLite's run one at a time). */
    async lockRequester(personId: string): Promise<void> {
      const lock = keyLockSql(sql.dialect);
      if (lock) await sql.value(lock, [`grant-request ${personId}`]);
    },
    async insert(request: NewGrantRequest, now: number, expiresAt: number): Promise<string> {
      const id = randomUUID();
      await sql.run(insert, { ...request, id, createdAt: now, expiresAt });
      return id;
    },
    /** The request, its row locked until the transaction ends (PostgreSQL). */
    byIdForUpdate: async (id: string) => {
      const row = await sql.one<Row>(byId, [id]);
      return row ? fromRow(row) : null;
    },
    listing: async (id: string) => {
      const row = await sql.one<ListingRow>(listingById, [id]);
      return row ? listingFromRow(row) : null;
    },
    /** The person's 待审批 row at the unit, expired or not (at most one). */
    pendingOfPair: async (personId: string, tin: string) => {
      const row = await sql.one<Row>(pendingOfPair, [personId, tin]);
      return row ? fromRow(row) : null;
    },
    /** The person's requests still waiting at `now`, all units together. */
    pendingCount: (personId: string, now: number) => count(pendingCount, [personId, now]),
    /** How many requests the person made after `since`, and the oldest of them. */
    async madeSince(personId: string, since: number): Promise<{ count: number; oldest: number | null }> {
      const made = await count(madeSince, [personId, since]);
      const oldest = made > 0 ? await sql.value<number>(oldestSince, [personId, since]) : null;
      return { count: made, oldest: oldest === null || oldest === undefined ? null : Number(oldest) };
    },
    /** Writes a decision (or 已过期, which frees the pair for a new request), with the term decided. */
    decide: (request: GrantRequest) => sql.run(decide, { ...request }),

    /** The unit's requests waiting at `now`, oldest first; the search finds a requester by 姓名. */
    unitPending: (tin: string, now: number): ListReader<GrantRequestListing> => ({
      kinds: CREATION_KEY,
      keyOf: byCreation,
      rows: async (after, size) =>
        (
          await sql.all<ListingRow>(unitPendingPage, {
            tin,
            now,
            afterAt: after?.[0] ?? LIST_START.number,
            afterId: after?.[1] ?? LIST_START.string,
            limit: size,
          })
        ).map(listingFromRow),
      count: () => count(unitPendingCount, [tin, now]),
      matches: (request, needle) => request.requester.name.includes(needle),
    }),

    /** The person's requests, newest first; the search finds a 纳税人识别号 or 名称. */
    ownRequests: (personId: string): ListReader<GrantRequestListing> => ({
      kinds: CREATION_KEY,
      keyOf: byCreation,
      descending: true,
      rows: async (after, size) =>
        (
          await sql.all<ListingRow>(ownPage, {
            personId,
            beforeAt: after?.[0] ?? LIST_START.newest,
            beforeId: after?.[1] ?? LIST_START.string,
            limit: size,
          })
        ).map(listingFromRow),
      count: () => count(ownCount, [personId]),
      matches: (request, needle) => request.unitTin.includes(needle.toUpperCase()) || request.unitName.includes(needle),
    }),
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
  };
}

export type GrantRequestsStore = ReturnType<typeof grantRequestsStore>;
