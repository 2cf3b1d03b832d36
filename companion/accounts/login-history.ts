import { randomUUID } from "node:crypto";
import type { LoginMethod } from "../../shared/api/security.js";
import type { QrClientKind } from "../../shared/qr-login/contract.js";
import { LIST_START, type ListReader } from "../db/paging.js";
import type { Sql } from "../db/sql.js";

/** How many logins of each person 最近登录 keeps: older ones are dropped as new ones come. */
export const LOGINS_KEPT = 50;

/** How a session was opened, and on which client. */
export interface LoginVia {
  method: LoginMethod;
  client: { kind: QrClientKind; name: string };
}

/** One login as kept, with its session as it stands. */
export interface LoginEntry extends LoginVia {
  id: string;
  at: number;
  tokenHash: string;
  session: { lastSeenAt: number; expiresAt: number; ended: boolean };
}

interface LoginRow {
  id: string;
  at: number;
  method: LoginMethod;
  client_kind: QrClientKind;
  client_name: string;
  token_hash: string;
  last_seen_at: number;
  expires_at: number;
  ended_at: number | null;
}

const INSERT = `INSERT INTO logins (id, person_id, at, method, client_kind, client_name, token_hash)
  VALUES (@id, @personId, @at, @method, @clientKind, @clientName, @tokenHash)`;
const PRUNE = `DELETE FROM logins WHERE person_id = @personId AND id NOT IN
  (SELECT id FROM logins WHERE person_id = @personId ORDER BY at DESC, id DESC LIMIT @kept)`;
const PAGE = `SELECT l.id, l.at, l.method, l.client_kind, l.client_name, l.token_hash,
    s.last_seen_at, s.expires_at, s.ended_at
  FROM logins l JOIN sessions s ON s.token_hash = l.token_hash
  WHERE l.person_id = @personId AND (l.at, l.id) < (@beforeAt, @beforeId)
  ORDER BY l.at DESC, l.id DESC LIMIT @limit`;
const COUNT = "SELECT COUNT(*) FROM logins WHERE person_id = ?";

const fromRow = (row: LoginRow): LoginEntry => ({
  id: row.id,
  at: row.at,
  method: row.method,
  client: { kind: row.client_kind, name: row.client_name },
  tokenHash: row.token_hash,
  session: { lastSeenAt: row.last_seen_at, expiresAt: row.expires_at, ended: row.ended_at !== null },
});

/** 最近登录: the sessions each person opened, newest first, the last LOGINS_KEPT of them. */
export function loginHistoryStore(sql: Sql) {
  return {
    /** Records a login, inside the transaction that opens its session. */
    async record(personId: string, tokenHash: string, at: number, via: LoginVia): Promise<void> {
      await sql.run(INSERT, {
        id: randomUUID(),
        personId,
        at,
        method: via.method,
        clientKind: via.client.kind,
        clientName: via.client.name,
        tokenHash,
      });
      await sql.run(PRUNE, { personId, kept: LOGINS_KEPT });
    },
    /** The person's logins, newest first; the search finds a client name containing it. */
    ofPerson: (personId: string): ListReader<LoginEntry> => ({
      kinds: ["number", "string"],
      keyOf: (login) => [login.at, login.id],
      descending: true,
      rows: async (after, size) =>
        (
          await sql.all<LoginRow>(PAGE, {
            personId,
            beforeAt: after?.[0] ?? LIST_START.newest,
            beforeId: after?.[1] ?? LIST_START.string,
            limit: size,
          })
        ).map(fromRow),
      count: async () => (await sql.value<number>(COUNT, [personId])) ?? 0,
      matches: (login, needle) => login.client.name.includes(needle),
    }),
  };
}

export type LoginHistoryStore = ReturnType<typeof loginHistoryStore>;
