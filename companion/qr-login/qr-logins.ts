import { createHash, createPublicKey, randomBytes, timingSafeEqual } from "node:crypto";
import { maskPersonName } from "../../shared/identity/account-rules.js";
import {
  parseQrLoginText,
  QR_MAX_PENDING,
  QR_REDEEM_WINDOW_SECONDS,
  type QrClientKind,
  type QrCreated,
  type QrEvent,
  type QrScanResult,
  qrEventSchema,
  qrLoginText,
} from "../../shared/qr-login/contract.js";
import type { PeopleStore } from "../accounts/people.js";
import type { Sessions } from "../accounts/sessions.js";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import { AppError } from "../errors.js";
import { busTopic, type OfficeBus } from "../events/office-bus.js";
import { qrSvg } from "../qr-svg.js";
import { requesterKey, sealTo } from "./qr-keys.js";
import type { QrLoginStore, QrSession, QrState } from "./qr-login-store.js";

/** Wrong key proofs before the QR session is spent. */
const MAX_PROOF_FAILURES = 3;
const SWEEP_MS = 1_000;
const KEEP_ROWS = 24 * 60 * MINUTE;

/**
 * A QR session's transition, for its requester's connection wherever it is: in an office the code
 * may be shown on one desktop and confirmed through another's companion.
 */
const qrEvents = busTopic("qr", qrEventSchema);

/** Who shows the QR code: kept as `id` with the code (a paired client, or the browser); the approver sees `kind` and `name`. */
export interface QrRequester {
  id: string;
  kind: QrClientKind;
  name: string;
}

export interface QrLoginDeps {
  store: QrLoginStore;
  clock: Clock;
  people: PeopleStore;
  sessions: Sessions;
  bus: Pick<OfficeBus, "publish" | "subscribe">;
  ttlSeconds: number;
}

interface Watcher {
  listener: (event: QrEvent) => void;
  waiting: boolean;
  /** The last transition it heard: catching up tells only what is newer. */
  heard: QrEvent["event"] | null;
}

const OPEN_STATES: ReadonlySet<QrState> = new Set(["waiting", "scanned", "confirmed"]);

/**
 * 扫码登录, a login confirmed by a person logged in on another client: waiting → scanned →
 * confirmed → redeemed, or cancelled / expired. Every transition is one conditional write in the
 * store, so two approvers (or two confirms) cannot both win. The requester's connection watches
 * its QR session and hears each transition as it happens.
 */
export function qrLoginService({ store, clock, people, sessions, bus, ttlSeconds }: QrLoginDeps) {
  /** The codes this companion's connections show, oldest first; `waiting` until anything happened to one. */
  const watchers = new Map<string, Watcher>();
  let waitingCount = 0;
  const settle = (watcher: Watcher) => {
    if (watcher.waiting) waitingCount -= 1;
    watcher.waiting = false;
  };
  let sweep: NodeJS.Timeout | null = null;
  const hear = (watcher: Watcher, event: QrEvent) => {
    settle(watcher);
    watcher.heard = event.event;
    watcher.listener(event);
  };
  /** What a watcher should have heard by now, from the stored state: the transition it missed. */
  async function latestEvent(ref: string): Promise<QrEvent | null> {
    const found = await store.byRef(ref);
    switch (found?.state) {
      case "waiting":
      case "redeemed":
        return null;
      case "scanned": {
        const approver = found.approverId ? await people.byId(found.approverId) : undefined;
        return { event: "qr.scanned", ref, approverName: maskPersonName(approver?.name ?? "") };
      }
      case "confirmed":
        return { event: "qr.confirmed", ref };
      case "cancelled":
        return { event: "qr.cancelled", ref };
      default:
        return { event: "qr.expired", ref };
    }
  }
  const unsubscribe = bus.subscribe(qrEvents, {
    receive: (event) => {
      const watcher = watchers.get(event.ref);
      if (watcher) hear(watcher, event);
    },
    // Transitions made through another companion while this one could not hear them.
    catchUp: () =>
      void (async () => {
        for (const [ref, watcher] of watchers) {
          const event = await latestEvent(ref);
          if (event && event.event !== watcher.heard && watchers.get(ref) === watcher) hear(watcher, event);
        }
      })().catch(() => undefined),
  });
  // The transition is written already; a notice the database could not take leaves the requester
  // to its code's expiry.
  const notify = (event: QrEvent) => void bus.publish(qrEvents, event).catch(() => undefined);

  /**
   * Pushes qr.expired for sessions whose time ran out — the office's, whichever companion their
   * requester is on; runs only while a requester is watching here.
   */
  async function sweepExpired(): Promise<void> {
    for (const ref of await store.expireDue(clock.now())) notify({ event: "qr.expired", ref });
  }

  /** A code nobody scanned goes (nothing to keep of it); one scanned expires, so its approver is told so. */
  async function abandon(ref: string): Promise<void> {
    if (!(await store.dropWaiting(ref))) await store.expire(ref);
  }

  /**
   * Past QR_MAX_PENDING codes waiting here, the oldest waiting one is dropped and its requester
   * told qr.expired: a flood of codes can push the real one out only by outnumbering it, and never
   * keeps a new one from being shown. Scanned codes have a logged-in approver and are never pushed out.
   */
  function pushOutOldest(): void {
    if (waitingCount <= QR_MAX_PENDING) return;
    for (const [ref, watcher] of watchers) {
      if (!watcher.waiting) continue;
      settle(watcher);
      // Scanned meanwhile through another companion of the office: it stays.
      void store
        .dropWaiting(ref)
        .then((dropped) => dropped && watcher.listener({ event: "qr.expired", ref }))
        .catch(() => undefined);
      return;
    }
  }

  async function session(ref: string): Promise<QrSession> {
    const found = await store.byRef(ref);
    if (!found) throw new AppError("QR_NOT_FOUND");
    return found;
  }

  /** Why a transition from `found` was refused: its state, as a stable code. */
  function refusal(found: QrSession, personId?: string): AppError {
    const state = OPEN_STATES.has(found.state) && found.expiresAt <= clock.now() ? "expired" : found.state;
    switch (state) {
      case "expired":
        return new AppError("QR_EXPIRED");
      case "cancelled":
        return new AppError("QR_CANCELLED");
      case "waiting":
        return new AppError(personId === undefined ? "QR_NOT_CONFIRMED" : "QR_NOT_FOUND");
      case "scanned":
        return new AppError(
          personId === undefined
            ? "QR_NOT_CONFIRMED"
            : personId === found.approverId
              ? "QR_NOT_FOUND"
              : "QR_ALREADY_USED",
        );
      case "failed":
        return new AppError("QR_KEY_MISMATCH");
      default:
        return new AppError("QR_ALREADY_USED");
    }
  }

  function scanView(found: QrSession): QrScanResult {
    return {
      ref: found.ref,
      clientKind: found.clientKind,
      clientName: found.clientName,
      requestedAt: new Date(found.createdAt).toISOString(),
      expiresIn: Math.max(0, Math.floor((found.expiresAt - clock.now()) / 1000)),
    };
  }

  return {
    /** A new QR session for the requester's public key. */
    async create(requester: QrRequester, publicKey: string): Promise<QrCreated> {
      const { key, fingerprint } = requesterKey(publicKey);
      const nonce = randomBytes(32);
      const ref = randomBytes(16).toString("base64url");
      const now = clock.now();
      await store.forgetCreatedBefore(now - KEEP_ROWS);
      await store.insert({
        ref,
        requester: requester.id,
        kind: requester.kind,
        name: requester.name,
        publicKey,
        fingerprint,
        challengeHash: createHash("sha256").update(nonce).digest("hex"),
        createdAt: now,
        expiresAt: now + ttlSeconds * 1000,
      });
      const qrText = qrLoginText(ref, fingerprint);
      return {
        ref,
        qrText,
        qrSvg: await qrSvg(qrText),
        fingerprint,
        expiresIn: ttlSeconds,
        challenge: sealTo(key, nonce),
      };
    },

    /** The requester's connection hears its QR session's transitions until it stops watching. */
    watch(ref: string, listener: (event: QrEvent) => void): () => void {
      const watcher: Watcher = { listener, waiting: true, heard: null };
      watchers.set(ref, watcher);
      waitingCount += 1;
      pushOutOldest();
      sweep ??= setInterval(() => void sweepExpired().catch(() => undefined), SWEEP_MS);
      return () => {
        // Already stopped (the companion is closing) or watched anew: nothing left to do.
        if (watchers.get(ref) !== watcher) return;
        settle(watcher);
        watchers.delete(ref);
        // A requester that went away (or shows a new code) cannot redeem: nobody may confirm this one.
        void abandon(ref).catch(() => undefined);
        if (watchers.size === 0 && sweep) {
          clearInterval(sweep);
          sweep = null;
        }
      };
    },

    /** 扫一扫 by a logged-in person: who asks, for the confirmation screen. */
    async scan(personId: string, qrText: string): Promise<QrScanResult> {
      const parsed = parseQrLoginText(qrText);
      if (!parsed) throw new AppError("QR_NOT_FOUND");
      const found = await session(parsed.ref);
      if (found.fingerprint !== parsed.fingerprint) throw new AppError("QR_KEY_MISMATCH");
      const now = clock.now();
      if (await store.markScanned(found.ref, personId, now)) {
        const person = await people.byId(personId);
        notify({ event: "qr.scanned", ref: found.ref, approverName: maskPersonName(person?.name ?? "") });
        return scanView(found);
      }
      // The same person scanning again (a second look) sees the same screen.
      const current = await session(found.ref);
      if (current.state === "scanned" && current.approverId === personId && current.expiresAt > now) {
        return scanView(current);
      }
      throw refusal(current, personId);
    },

    /** 确认登录: only by the person who scanned, once. */
    async confirm(personId: string, ref: string): Promise<void> {
      const now = clock.now();
      const redeemBy = now + QR_REDEEM_WINDOW_SECONDS * 1000;
      if (await store.markConfirmed(ref, personId, now, redeemBy)) {
        notify({ event: "qr.confirmed", ref });
        return;
      }
      throw refusal(await session(ref), personId);
    },

    /** 取消: the approver did not start this login. */
    async cancel(personId: string, ref: string): Promise<void> {
      if (await store.markCancelled(ref, personId, clock.now())) {
        notify({ event: "qr.cancelled", ref });
        return;
      }
      throw refusal(await session(ref), personId);
    },

    /**
     * The requester proves it holds the private key (the decrypted challenge) and gets a new session
     * of the approver, its token encrypted to that key. Once: a replay finds the session redeemed.
     */
    async redeem(ref: string, proof: string) {
      const found = await session(ref);
      if (found.state !== "confirmed" || found.expiresAt <= clock.now()) throw refusal(found);
      const expected = Buffer.from(found.challengeHash, "hex");
      const given = createHash("sha256").update(Buffer.from(proof, "base64url")).digest();
      if (!timingSafeEqual(expected, given)) {
        await store.countProofFailure(ref, MAX_PROOF_FAILURES);
        throw new AppError("QR_KEY_MISMATCH");
      }
      const person = found.approverId ? await people.byId(found.approverId) : undefined;
      if (!person) throw new AppError("QR_NOT_FOUND");
      const opened = await store.transaction(async () => {
        if (!(await store.markRedeemed(ref, clock.now()))) throw refusal(await session(ref));
        return sessions.open(person.id, {
          method: "qr",
          client: { kind: found.clientKind, name: found.clientName },
        });
      });
      const key = createPublicKey({ key: Buffer.from(found.publicKey, "base64"), format: "der", type: "spki" });
      return {
        person,
        token: opened.token,
        expiresAt: opened.expiresAt,
        sealedToken: sealTo(key, Buffer.from(opened.token)),
      };
    },

    /** A code made for a requester that left before it could watch it. */
    abandon,

    stop(): void {
      if (sweep) clearInterval(sweep);
      sweep = null;
      watchers.clear();
      waitingCount = 0;
      unsubscribe();
    },
  };
}

export type QrLogins = ReturnType<typeof qrLoginService>;
