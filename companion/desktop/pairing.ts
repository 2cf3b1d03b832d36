import { randomInt, randomUUID } from "node:crypto";
import type { PairingRequest as PairingRequestView } from "../../shared/api/desktop.js";
import type { Page, PageQuery } from "../../shared/api/paging.js";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import { listInMemory, readPage } from "../db/paging.js";
import { AppError } from "../errors.js";
import { keyedListeners } from "../events/listeners.js";
import { newToken, tokenDigest } from "../security/secrets.js";
import type { PairedClient, PairedClientStore } from "./paired-client-store.js";

export const PAIRING_TTL = 5 * MINUTE;

export interface PairingRequest {
  id: string;
  clientName: string;
  code: string;
  requestedAt: number;
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
export function desktopPairingService({ store, clock }: { store: PairedClientStore; clock: Clock }) {
  const pending = new Map<string, PairingRequest & { decide(decision: Decision): void; expiry: NodeJS.Timeout }>();
  /** Open connections of each paired client, told at once when the client is revoked. */
  const connections = keyedListeners();
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
      await store.insert(client, tokenDigest(clientToken), ownerId);
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
      const client = await store.byToken(tokenDigest(clientToken));
      if (client) await store.seen(client.id, clock.now());
      return client;
    },
    /** The person's paired clients in pairing order; the search finds a name containing it. */
    clientsOf: (ownerId: string, query: PageQuery): Promise<Page<PairedClient>> =>
      readPage(store.ofOwner(ownerId), query, (client) => client),
    /** Registers an open connection of a paired client; returns how to unregister it. */
    attach: (clientId: string, onRevoked: () => void): (() => void) => connections.add(clientId, onRevoked),
    async revoke(clientId: string, ownerId: string): Promise<void> {
      if (!(await store.revoke(clientId, ownerId, clock.now()))) throw new AppError("DESKTOP_CLIENT_NOT_FOUND");
      connections.tell(clientId);
    },
  };
}

export type DesktopPairing = ReturnType<typeof desktopPairingService>;
