import { createHash, createPublicKey, randomBytes, timingSafeEqual } from "node:crypto";
import { maskPersonName } from "../../shared/identity/account-rules.js";
import {
  parseQrLoginText,
  QR_REDEEM_WINDOW_SECONDS,
  type QrClientKind,
  type QrCreated,
  type QrEvent,
  type QrScanResult,
  qrLoginText,
} from "../../shared/qr-login/contract.js";
import type { PeopleStore } from "../accounts/people.js";
import type { Sessions } from "../accounts/sessions.js";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import type { Sql } from "../db/sql.js";
import { AppError, secondsUntil } from "../errors.js";
import { qrSvg } from "../qr-svg.js";
import { requesterKey, sealTo } from "./qr-keys.js";

/** QR creation per requester (one browser installation, or one paired desktop client)… */
const CREATE_LIMIT = 10;
/** …and per kind of client on this machine, whatever ids they give. */
const CREATE_LIMIT_PER_KIND = 60;
const CREATE_WINDOW = 5 * MINUTE;
/** Wrong key proofs before the QR session is spent. */
const MAX_PROOF_FAILURES = 3;
const SWEEP_MS = 1_000;
const KEEP_ROWS = 24 * 60 * MINUTE;

type QrState = "waiting" | "scanned" | "confirmed" | "cancelled" | "expired" | "redeemed" | "failed";

interface QrRow {
  ref: string;
  client_kind: QrClientKind;
  client_name: string;
  public_key: string;
  fingerprint: string;
  challenge_hash: string;
  state: QrState;
  created_at: number;
  expires_at: number;
  approver_id: string | null;
  proof_failures: number;
}

/** Who shows the QR code: the rate limit counts per `id`; the approver sees `kind` and `name`. */
export interface QrRequester {
  id: string;
  kind: QrClientKind;
  name: string;
}

export interface QrLoginDeps {
  sql: Sql;
  clock: Clock;
  people: PeopleStore;
  sessions: Sessions;
  ttlSeconds: number;
}

const OPEN_STATES: ReadonlySet<QrState> = new Set(["waiting", "scanned", "confirmed"]);

/**
 * 扫码登录, a login confirmed by a person logged in on another client: waiting → scanned →
 * confirmed → redeemed, or cancelled / expired. Every transition is one conditional UPDATE, so two
 * approvers (or two confirms) cannot both win. The requester's connection watches its QR session
 * and hears each transition as it happens.
 */
export function qrLogins({ sql, clock, people, sessions, ttlSeconds }: QrLoginDeps) {
  const byRef = "SELECT * FROM qr_logins WHERE ref = ?";
  const recentOf =
    "SELECT created_at FROM qr_logins WHERE requester = ? AND created_at > ? ORDER BY created_at LIMIT 1 OFFSET ?";
  const recentOfKind =
    "SELECT created_at FROM qr_logins WHERE client_kind = ? AND created_at > ? ORDER BY created_at LIMIT 1 OFFSET ?";
  /** The oldest creation still counted when `limit` are in the window, or undefined when below it. */
  const limitedSince = async (recent: string, key: string, limit: number, since: number) =>
    (await sql.value<number>(recent, [key, since, limit - 1])) === undefined
      ? undefined
      : sql.value<number>(recent, [key, since, 0]);
  const insert = `INSERT INTO qr_logins (ref, requester, client_kind, client_name, public_key, fingerprint, challenge_hash, state, created_at, expires_at)
     VALUES (@ref, @requester, @kind, @name, @publicKey, @fingerprint, @challengeHash, 'waiting', @now, @expiresAt)`;
  const forget = "DELETE FROM qr_logins WHERE created_at < ?";
  const toScanned =
    "UPDATE qr_logins SET state = 'scanned', approver_id = ?, scanned_at = ? WHERE ref = ? AND state = 'waiting' AND expires_at > ?";
  const toConfirmed = `UPDATE qr_logins SET state = 'confirmed', decided_at = @now, expires_at = @redeemBy
     WHERE ref = @ref AND state = 'scanned' AND approver_id = @personId AND expires_at > @now`;
  const toCancelled = `UPDATE qr_logins SET state = 'cancelled', decided_at = @now
     WHERE ref = @ref AND state = 'scanned' AND approver_id = @personId AND expires_at > @now`;
  const toRedeemed =
    "UPDATE qr_logins SET state = 'redeemed', redeemed_at = ? WHERE ref = ? AND state = 'confirmed' AND expires_at > ?";
  const countProofFailure = `UPDATE qr_logins SET proof_failures = proof_failures + 1,
       state = CASE WHEN proof_failures + 1 >= ? THEN 'failed' ELSE state END
     WHERE ref = ?`;
  const expireDue =
    "UPDATE qr_logins SET state = 'expired' WHERE state IN ('waiting', 'scanned', 'confirmed') AND expires_at <= ? RETURNING ref";
  const expireOne =
    "UPDATE qr_logins SET state = 'expired' WHERE ref = ? AND state IN ('waiting', 'scanned', 'confirmed')";

  const watchers = new Map<string, (event: QrEvent) => void>();
  let sweep: NodeJS.Timeout | null = null;
  const notify = (event: QrEvent) => watchers.get(event.ref)?.(event);

  /** Pushes qr.expired for sessions whose time ran out; runs only while a requester is watching. */
  async function sweepExpired(): Promise<void> {
    for (const { ref } of await sql.all<{ ref: string }>(expireDue, [clock.now()])) {
      notify({ event: "qr.expired", ref });
    }
  }

  async function row(ref: string): Promise<QrRow> {
    const found = await sql.one<QrRow>(byRef, [ref]);
    if (!found) throw new AppError("QR_NOT_FOUND");
    return found;
  }

  /** Why a transition from `found` was refused: its state, as a stable code. */
  function refusal(found: QrRow, personId?: string): AppError {
    const state = OPEN_STATES.has(found.state) && found.expires_at <= clock.now() ? "expired" : found.state;
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
            : personId === found.approver_id
              ? "QR_NOT_FOUND"
              : "QR_ALREADY_USED",
        );
      case "failed":
        return new AppError("QR_KEY_MISMATCH");
      default:
        return new AppError("QR_ALREADY_USED");
    }
  }

  function scanView(found: QrRow): QrScanResult {
    return {
      ref: found.ref,
      clientKind: found.client_kind,
      clientName: found.client_name,
      requestedAt: new Date(found.created_at).toISOString(),
      expiresIn: Math.max(0, Math.floor((found.expires_at - clock.now()) / 1000)),
    };
  }

  return {
    /** A new QR session for the requester's public key (rate limited per requester). */
    async create(requester: QrRequester, publicKey: string): Promise<QrCreated> {
      const { key, fingerprint } = requesterKey(publicKey);
      const nonce = randomBytes(32);
      const ref = randomBytes(16).toString("base64url");
      await sql.transaction(async () => {
        const now = clock.now();
        const since = now - CREATE_WINDOW;
        const oldest =
          (await limitedSince(recentOf, requester.id, CREATE_LIMIT, since)) ??
          (await limitedSince(recentOfKind, requester.kind, CREATE_LIMIT_PER_KIND, since));
        if (oldest !== undefined) {
          throw new AppError("RATE_LIMITED", { retryAfter: secondsUntil(oldest + CREATE_WINDOW, now) });
        }
        await sql.run(forget, [now - KEEP_ROWS]);
        await sql.run(insert, {
          ref,
          requester: requester.id,
          kind: requester.kind,
          name: requester.name,
          publicKey,
          fingerprint,
          challengeHash: createHash("sha256").update(nonce).digest("hex"),
          now,
          expiresAt: now + ttlSeconds * 1000,
        });
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
      watchers.set(ref, listener);
      sweep ??= setInterval(() => void sweepExpired().catch(() => undefined), SWEEP_MS);
      return () => {
        // Already stopped (the companion is closing) or watched anew: nothing left to do.
        if (watchers.get(ref) !== listener) return;
        watchers.delete(ref);
        // A requester that went away cannot redeem: nobody may confirm its code any more.
        void sql.run(expireOne, [ref]).catch(() => undefined);
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
      const found = await row(parsed.ref);
      if (found.fingerprint !== parsed.fingerprint) throw new AppError("QR_KEY_MISMATCH");
      const now = clock.now();
      if ((await sql.run(toScanned, [personId, now, found.ref, now])) === 1) {
        const person = await people.byId(personId);
        notify({ event: "qr.scanned", ref: found.ref, approverName: maskPersonName(person?.name ?? "") });
        return scanView(found);
      }
      // The same person scanning again (a second look) sees the same screen.
      const current = await row(found.ref);
      if (current.state === "scanned" && current.approver_id === personId && current.expires_at > now) {
        return scanView(current);
      }
      throw refusal(current, personId);
    },

    /** 确认登录: only by the person who scanned, once. */
    async confirm(personId: string, ref: string): Promise<void> {
      const now = clock.now();
      const redeemBy = now + QR_REDEEM_WINDOW_SECONDS * 1000;
      if ((await sql.run(toConfirmed, { ref, personId, now, redeemBy })) === 1) {
        notify({ event: "qr.confirmed", ref });
        return;
      }
      throw refusal(await row(ref), personId);
    },

    /** 取消: the approver did not start this login. */
    async cancel(personId: string, ref: string): Promise<void> {
      if ((await sql.run(toCancelled, { ref, personId, now: clock.now() })) === 1) {
        notify({ event: "qr.cancelled", ref });
        return;
      }
      throw refusal(await row(ref), personId);
    },

    /**
     * The requester proves it holds the private key (the decrypted challenge) and gets a new session
     * of the approver, its token encrypted to that key. Once: a replay finds the session redeemed.
     */
    async redeem(ref: string, proof: string) {
      const found = await row(ref);
      if (found.state !== "confirmed" || found.expires_at <= clock.now()) throw refusal(found);
      const expected = Buffer.from(found.challenge_hash, "hex");
      const given = createHash("sha256").update(Buffer.from(proof, "base64url")).digest();
      if (!timingSafeEqual(expected, given)) {
        await sql.run(countProofFailure, [MAX_PROOF_FAILURES, ref]);
        throw new AppError("QR_KEY_MISMATCH");
      }
      const person = found.approver_id ? await people.byId(found.approver_id) : undefined;
      if (!person) throw new AppError("QR_NOT_FOUND");
      const opened = await sql.transaction(async () => {
        if ((await sql.run(toRedeemed, [clock.now(), ref, clock.now()])) !== 1) throw refusal(await row(ref));
        return sessions.open(person.id);
      });
      const key = createPublicKey({ key: Buffer.from(found.public_key, "base64"), format: "der", type: "spki" });
      return {
        person,
        token: opened.token,
        expiresAt: opened.expiresAt,
        sealedToken: sealTo(key, Buffer.from(opened.token)),
      };
    },

    stop(): void {
      if (sweep) clearInterval(sweep);
      sweep = null;
      watchers.clear();
    },
  };
}

export type QrLogins = ReturnType<typeof qrLogins>;
