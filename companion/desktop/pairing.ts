import { randomInt, randomUUID } from "node:crypto";
import type { PairingRequest as PairingRequestView } from "../../shared/api/desktop.js";
import type { Page, PageQuery } from "../../shared/api/paging.js";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import { LIST_START, type ListReader, listInMemory, readPage } from "../db/paging.js";
import type { Sql } from "../db/sql.js";
import { AppError } from "../errors.js";
import { newToken, tokenDigest } from "../security/secrets.js";

export const PAIRING_TTL = 5 * MINUTE;

export interface PairingRequest {
  id: string;
  clientName: string;
  code: string;
  requestedAt: number;
}

export interface PairedClient {
  id: string;
  name: string;
  pairedAt: number;
  lastSeenAt: number | null;
}

type Decision =
  | { outcome: "approved"; clientToken: string; client: PairedClient }
  | { outcome: "denied" }
  | { outcome: "expired" };

/**
 * Pairing of desktop clients: a client without an Origin is served only once paired. It asks to
 * pair and shows a 6-digit code; a logged-in person compares it in the popup and approves or
 * denies; an approved client gets its own token (stored hashed, revocable). Pending requests live
 * with their connection, in memory.
 */
export function desktopPairing(sql: Sql, clock: Clock) {
  const pending = new Map<string, PairingRequest & { decide(decision: Decision): void; expiry: NodeJS.Timeout }>();
  /** Open connections of each paired client, told at once when the client is revoked. */
  const connections = new Map<string, Set<() => void>>();
  const live = () => {
    const now = clock.now();
    for (const [id, request] of pending) if (now - request.requestedAt >= PAIRING_TTL) expire(id);
    return [...pending.values()];
  };
  const take = (id: string) => {
    const request = pending.get(id);
    if (request) {
      clearTimeout(request.expiry);
      pending.delete(id);
    }
    return request;
  };
  const expire = (id: string) => take(id)?.decide({ outcome: "expired" });

  return {
    /** Opens a request; `decide` is called once, when a person approves or denies it. */
    request(clientName: string, decide: (decision: Decision) => void): { id: string; code: string; expiresIn: number } {
      const id = randomUUID();
      const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
      const expiry = setTimeout(() => expire(id), PAIRING_TTL);
      expiry.unref();
      pending.set(id, { id, clientName, code, requestedAt: clock.now(), decide, expiry });
      return { id, code, expiresIn: PAIRING_TTL / 1000 };
    },
    /** The connection went away: its request goes too. */
    withdraw: (id: string) => void take(id),
    /** Pending requests, oldest first; q finds a client name containing it. */
    pending: (query: PageQuery): Promise<Page<PairingRequestView>> =>
      readPage(
        listInMemory(
          live().sort((a, b) => a.requestedAt - b.requestedAt || (a.id < b.id ? -1 : 1)),
          ["number", "string"],
          (request) => [request.requestedAt, request.id],
          (request, needle) => request.clientName.includes(needle),
        ),
        query,
        ({ id, clientName, code, requestedAt }) => ({
          id,
          clientName,
          code,
          requestedAt: new Date(requestedAt).toISOString(),
        }),
      ),

    async approve(requestId: string, ownerId: string): Promise<PairedClient> {
      if (!live().some((r) => r.id === requestId)) throw new AppError("PAIRING_NOT_FOUND");
      const request = take(requestId) as NonNullable<ReturnType<typeof take>>;
      const clientToken = newToken();
      const client = { id: randomUUID(), name: request.clientName, pairedAt: clock.now(), lastSeenAt: null };
      await sql.run("INSERT INTO desktop_clients (id, name, token_hash, owner_id, paired_at) VALUES (?, ?, ?, ?, ?)", [
        client.id,
        client.name,
        tokenDigest(clientToken),
        ownerId,
        client.pairedAt,
      ]);
      request.decide({ outcome: "approved", clientToken, client });
      return client;
    },
    deny(requestId: string): void {
      const request = take(requestId);
      if (!request) throw new AppError("PAIRING_NOT_FOUND");
      request.decide({ outcome: "denied" });
    },

    /** The paired client behind a token, or null (unknown or revoked). */
    async authenticate(clientToken: string): Promise<{ id: string; name: string; ownerId: string } | null> {
      const row = await sql.one<{ id: string; name: string; owner_id: string }>(
        "SELECT id, name, owner_id FROM desktop_clients WHERE token_hash = ? AND revoked_at IS NULL",
        [tokenDigest(clientToken)],
      );
      if (!row) return null;
      await sql.run("UPDATE desktop_clients SET last_seen_at = ? WHERE id = ?", [clock.now(), row.id]);
      return { id: row.id, name: row.name, ownerId: row.owner_id };
    },
    /** The person's paired clients in pairing order; the search finds a name containing it. */
    clientsOf(ownerId: string, query: PageQuery): Promise<Page<PairedClient>> {
      const clients: ListReader<PairedClient> = {
        kinds: ["number", "string"],
        keyOf: (client) => [client.pairedAt, client.id],
        // Paged by (paired_at, id).
        rows: async (after, size) =>
          (
            await sql.all<{ id: string; name: string; paired_at: number; last_seen_at: number | null }>(
              `SELECT id, name, paired_at, last_seen_at FROM desktop_clients
               WHERE owner_id = @ownerId AND revoked_at IS NULL AND (paired_at, id) > (@afterAt, @afterId)
               ORDER BY paired_at, id LIMIT @limit`,
              {
                ownerId,
                afterAt: after?.[0] ?? LIST_START.number,
                afterId: after?.[1] ?? LIST_START.string,
                limit: size,
              },
            )
          ).map((row) => ({ id: row.id, name: row.name, pairedAt: row.paired_at, lastSeenAt: row.last_seen_at })),
        count: async () =>
          (await sql.value<number>("SELECT COUNT(*) FROM desktop_clients WHERE owner_id = ? AND revoked_at IS NULL", [
            ownerId,
          ])) ?? 0,
        matches: (client, needle) => client.name.includes(needle),
      };
      return readPage(clients, query, (client) => client);
    },
    /** Registers an open connection of a paired client; returns how to unregister it. */
    attach(clientId: string, onRevoked: () => void): () => void {
      const set = connections.get(clientId) ?? new Set();
      connections.set(clientId, set.add(onRevoked));
      return () => {
        set.delete(onRevoked);
        if (set.size === 0) connections.delete(clientId);
      };
    },
    async revoke(clientId: string, ownerId: string): Promise<void> {
      const revoked = await sql.run(
        "UPDATE desktop_clients SET revoked_at = ? WHERE id = ? AND owner_id = ? AND revoked_at IS NULL",
        [clock.now(), clientId, ownerId],
      );
      if (revoked === 0) throw new AppError("DESKTOP_CLIENT_NOT_FOUND");
      for (const onRevoked of connections.get(clientId) ?? []) onRevoked();
    },
  };
}

export type DesktopPairing = ReturnType<typeof desktopPairing>;
