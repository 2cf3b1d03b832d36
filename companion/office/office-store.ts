import type { Sql } from "../db/sql.js";

export interface OfficeRow {
  id: string;
  createdAt: number;
  /** A known text sealed under the office key: a machine's key is this office's if it opens. */
  keyCheck: string;
}

export interface OfficeMember {
  machineId: string;
  name: string;
  joinedAt: number;
  lastSeenAt: number;
  removedAt: number | null;
}

/** An invitation a join try may open: reserved (its try counted) before the slow check. */
export interface ReservedInvite {
  id: string;
  salt: string;
  sealedKey: string;
}

export interface NewInvite extends ReservedInvite {
  invitedBy: string;
  createdAt: number;
  expiresAt: number;
}

const OFFICE = `SELECT id, created_at AS "createdAt", key_check AS "keyCheck" FROM office`;
const CREATE_OFFICE = "INSERT INTO office (id, created_at, key_check) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
const MEMBER_COLUMNS = `machine_id AS "machineId", name, joined_at AS "joinedAt", last_seen_at AS "lastSeenAt",
  removed_at AS "removedAt"`;
const MEMBER = `SELECT ${MEMBER_COLUMNS} FROM office_members WHERE machine_id = ?`;
const MEMBERS = `SELECT ${MEMBER_COLUMNS} FROM office_members ORDER BY joined_at, machine_id`;
const ADD_MEMBER = `INSERT INTO office_members (machine_id, name, joined_at, last_seen_at) VALUES (@machineId, @name, @at, @at)
  ON CONFLICT (machine_id) DO UPDATE SET name = excluded.name, joined_at = excluded.joined_at,
    last_seen_at = excluded.last_seen_at, removed_at = NULL`;
const TOUCH_MEMBER = "UPDATE office_members SET last_seen_at = ? WHERE machine_id = ? AND removed_at IS NULL";
const REMOVE_MEMBER = "UPDATE office_members SET removed_at = ? WHERE machine_id = ? AND removed_at IS NULL";
const PENDING = "used_at IS NULL AND expires_at > @now AND tries < @maxTries";
const COUNT_PENDING = `SELECT COUNT(*) FROM office_invites WHERE ${PENDING}`;
const INSERT_INVITE = `INSERT INTO office_invites (id, salt, sealed_key, invited_by, created_at, expires_at)
  VALUES (@id, @salt, @sealedKey, @invitedBy, @createdAt, @expiresAt)`;
const RESERVE = `UPDATE office_invites SET tries = tries + 1 WHERE ${PENDING}
  RETURNING id, salt, sealed_key AS "sealedKey"`;
const USE_INVITE =
  "UPDATE office_invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?";
const FORGET_INVITES = "DELETE FROM office_invites WHERE expires_at < ?";
const SECRET = "SELECT sealed FROM sealed_secrets WHERE name = ?";
const PUT_SECRET = `INSERT INTO sealed_secrets (name, sealed, updated_at) VALUES (@name, @sealed, @at)
  ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`;
const ADD_SECRET =
  "INSERT INTO sealed_secrets (name, sealed, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING";

/** The office of a shared database: its one row, its member machines, open invitations, sealed secrets. */
export function officeStore(sql: Sql) {
  return {
    office: () => sql.one<OfficeRow>(OFFICE),
    /** False when the database already has an office (another machine's init won). */
    createOffice: async (office: OfficeRow) =>
      (await sql.run(CREATE_OFFICE, [office.id, office.createdAt, office.keyCheck])) === 1,

    member: (machineId: string) => sql.one<OfficeMember>(MEMBER, [machineId]),
    members: () => sql.all<OfficeMember>(MEMBERS),
    /** Adds the machine, or takes a removed one back. */
    addMember: (machineId: string, name: string, at: number) => sql.run(ADD_MEMBER, { machineId, name, at }),
    touchMember: (machineId: string, at: number) => sql.run(TOUCH_MEMBER, [at, machineId]),
    removeMember: async (machineId: string, at: number) => (await sql.run(REMOVE_MEMBER, [at, machineId])) === 1,

    pendingInvites: async (now: number, maxTries: number) =>
      (await sql.value<number>(COUNT_PENDING, { now, maxTries })) ?? 0,
    insertInvite: (invite: NewInvite) => sql.run(INSERT_INVITE, { ...invite }),
    /** Counts one try against every pending invitation and returns them. */
    reserveInvites: (now: number, maxTries: number) => sql.all<ReservedInvite>(RESERVE, { now, maxTries }),
    /** False when the invitation was used meanwhile, or has expired. */
    useInvite: async (id: string, machineId: string, now: number) =>
      (await sql.run(USE_INVITE, [now, machineId, id, now])) === 1,
    forgetInvitesBefore: (at: number) => sql.run(FORGET_INVITES, [at]),

    sealedSecret: (name: string) => sql.value<string>(SECRET, [name]),
    putSealedSecret: (name: string, sealed: string, at: number) => sql.run(PUT_SECRET, { name, sealed, at }),
    /** Keeps `sealed` unless a value is already there. */
    addSealedSecret: (name: string, sealed: string, at: number) => sql.run(ADD_SECRET, [name, sealed, at]),

    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
  };
}

export type OfficeStore = ReturnType<typeof officeStore>;
