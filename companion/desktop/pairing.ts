import { randomInt, randomUUID } from "node:crypto";
import type { PairingMatch } from "../../shared/api/desktop.js";
import type { Page, PageQuery } from "../../shared/api/paging.js";
import { PAIRING_MAX_PENDING } from "../../shared/desktop/protocol.js";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import { readPage } from "../db/paging.js";
import { AppError } from "../errors.js";
import { keyedListeners } from "../events/listeners.js";
import { newToken, tokenDigest } from "../security/secrets.js";
import { type WindowLimit, windowLimit } from "../security/window-limit.js";
import type { PairedClient, PairedClientStore } from "./paired-client-store.js";

export const PAIRING_TTL = 5 * MINUTE;
/**
 * Codes typed by one person that match no request, within the window, before a pause: they are 6
 * digits. The window is a request's life, so a pause outlasts none of the requests it was about.
 */
const MAX_WRONG_CODES = 5;

interface PairingRequest {
  id: string;
  clientName: string;
  code: string;
  requestedAt: number;
  decide(decision: Decision): void;
  expiry: NodeJS.Timeout;
}

type Decision =
  | { outcome: "approved"; clientToken: string; client: PairedClient }
  | { outcome: "denied" }
  | { outcome: "expired" };

/**
 * Pairing of desktop clients: a client without an Origin is served only once paired. It asks to
 * pair and shows a 6-digit code; a logged-in person types that code in the popup, sees which
 * client it names, and approves or denies; an approved client gets its own token (stored hashed,
 * revocable). Pending requests live with their connection, in memory, one per connection and at
 * most PAIRING_MAX_PENDING in all: past that the oldest goes, so a new request always gets in.
 * Nobody is shown a list: a code is unique among the pending requests, and only typing it reaches
 * its request.
 */
export function desktopPairingService({
  store,
  clock,
  ttl = PAIRING_TTL,
}: {
  store: PairedClientStore;
  clock: Clock;
  /** How long a request waits for the person (shorter in a sandbox). */
  ttl?: number;
}) {
  /** By id, oldest first (a Map keeps insertion order). */
  const pending = new Map<string, PairingRequest>();
  /** The id of the pending request showing each code. */
  const byCode = new Map<string, string>();
  /** Wrong codes typed, per person. */
  const wrongCodes = new Map<string, WindowLimit>();
  /** Open connections of each paired client, told at once when the client is revoked. */
  const connections = keyedListeners();

  const take = (id: string) => {
    const request = pending.get(id);
    if (request) {
      clearTimeout(request.expiry);
      pending.delete(id);
      byCode.delete(request.code);
    }
    return request;
  };
  const expire = (id: string) => take(id)?.decide({ outcome: "expired" });
  const isLive = (request: PairingRequest) => {
    if (clock.now() - request.requestedAt < ttl) return true;
    expire(request.id);
    return false;
  };
  const newCode = () => {
    // At most PAIRING_MAX_PENDING of a million codes are taken: a free one comes at the first draw or so.
    for (;;) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
      if (!byCode.has(code)) return code;
    }
  };

  /** The live request showing `code`, typed by the person; wrong codes are counted and limited. */
  function typed(personId: string, code: string): PairingRequest {
    const wrong = wrongCodes.get(personId);
    wrong?.refuseWhenFull("PAIRING_CODE_LOCKED");
    const id = byCode.get(code);
    const request = id === undefined ? undefined : pending.get(id);
    if (request && isLive(request)) return request;
    for (const [person, limit] of wrongCodes) if (limit.idle) wrongCodes.delete(person);
    const counted = wrong ?? windowLimit(clock, MAX_WRONG_CODES, ttl);
    counted.count();
    wrongCodes.set(personId, counted);
    throw new AppError("PAIRING_NOT_FOUND");
  }

  return {
    /** Opens a request; `decide` is called once: approved, denied, or expired (time, or pushed out). */
    request(clientName: string, decide: (decision: Decision) => void): { id: string; code: string; expiresIn: number } {
      const oldest = pending.keys().next();
      if (pending.size >= PAIRING_MAX_PENDING && !oldest.done) expire(oldest.value);
      const id = randomUUID();
      const code = newCode();
      const expiry = setTimeout(() => expire(id), ttl);
      expiry.unref();
      pending.set(id, { id, clientName, code, requestedAt: clock.now(), decide, expiry });
      byCode.set(code, id);
      return { id, code, expiresIn: ttl / 1000 };
    },
    /** The connection went away (or asked anew): its request goes too. */
    withdraw: (id: string) => void take(id),
    /** How many requests wait: all the popup shows of them. */
    pendingCount: (): number => [...pending.values()].filter(isLive).length,

    /** The request showing the typed code, for the person to check its name. */
    find(personId: string, code: string): PairingMatch {
      const request = typed(personId, code);
      return {
        clientName: request.clientName,
        requestedAt: new Date(request.requestedAt).toISOString(),
        expiresIn: Math.max(0, Math.floor((request.requestedAt + ttl - clock.now()) / 1000)),
      };
    },
    async approve(personId: string, code: string): Promise<PairedClient> {
      const request = take(typed(personId, code).id) as PairingRequest;
      const clientToken = newToken();
      const client = { id: randomUUID(), name: request.clientName, pairedAt: clock.now(), lastSeenAt: null };
      await store.insert(client, tokenDigest(clientToken), personId);
      request.decide({ outcome: "approved", clientToken, client });
      return client;
    },
    deny(personId: string, code: string): void {
      take(typed(personId, code).id)?.decide({ outcome: "denied" });
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
