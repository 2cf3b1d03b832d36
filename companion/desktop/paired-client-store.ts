import { LIST_START, type ListReader } from "../db/paging.js";
import type { Sql } from "../db/sql.js";

export interface PairedClient {
  id: string;
  name: string;
  pairedAt: number;
  lastSeenAt: number | null;
}

interface ClientRow {
  id: string;
  name: string;
  paired_at: number;
  last_seen_at: number | null;
}

/** Paired desktop clients, each known by the digest of its token (never the token itself). */
export function pairedClientStore(sql: Sql) {
  const insert = "INSERT INTO desktop_clients (id, name, token_hash, owner_id, paired_at) VALUES (?, ?, ?, ?, ?)";
  const byToken = "SELECT id, name, owner_id FROM desktop_clients WHERE token_hash = ? AND revoked_at IS NULL";
  const seen = "UPDATE desktop_clients SET last_seen_at = ? WHERE id = ?";
  const ownerPage = `SELECT id, name, paired_at, last_seen_at FROM desktop_clients
     WHERE owner_id = @ownerId AND revoked_at IS NULL AND (paired_at, id) > (@afterAt, @afterId)
     ORDER BY paired_at, id LIMIT @limit`;
  const ownerCount = "SELECT COUNT(*) FROM desktop_clients WHERE owner_id = ? AND revoked_at IS NULL";
  const revoke = "UPDATE desktop_clients SET revoked_at = ? WHERE id = ? AND owner_id = ? AND revoked_at IS NULL";

  return {
    insert: async (client: PairedClient, tokenHash: string, ownerId: string): Promise<void> => {
      await sql.run(insert, [client.id, client.name, tokenHash, ownerId, client.pairedAt]);
    },
    /** The client (not revoked) whose token has this digest. */
    async byToken(tokenHash: string): Promise<{ id: string; name: string; ownerId: string } | null> {
      const row = await sql.one<{ id: string; name: string; owner_id: string }>(byToken, [tokenHash]);
      return row ? { id: row.id, name: row.name, ownerId: row.owner_id } : null;
    },
    seen: async (id: string, at: number): Promise<void> => {
      await sql.run(seen, [at, id]);
    },
    /** The person's clients (not revoked) in pairing order; the search finds a name containing it. */
    ofOwner: (ownerId: string): ListReader<PairedClient> => ({
      kinds: ["number", "string"],
      keyOf: (client) => [client.pairedAt, client.id],
      rows: async (after, size) =>
        (
          await sql.all<ClientRow>(ownerPage, {
            ownerId,
            afterAt: after?.[0] ?? LIST_START.number,
            afterId: after?.[1] ?? LIST_START.string,
            limit: size,
          })
        ).map((row) => ({ id: row.id, name: row.name, pairedAt: row.paired_at, lastSeenAt: row.last_seen_at })),
      count: async () => (await sql.value<number>(ownerCount, [ownerId])) ?? 0,
      matches: (client, needle) => client.name.includes(needle),
    }),
    /** Revokes the owner's client; whether there was one (not yet revoked) to revoke. */
    revoke: async (id: string, ownerId: string, at: number): Promise<boolean> =>
      (await sql.run(revoke, [at, id, ownerId])) > 0,
  };
}

export type PairedClientStore = ReturnType<typeof pairedClientStore>;
