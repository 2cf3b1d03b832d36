import type { QrClientKind } from "../../shared/qr-login/contract.js";
import type { Sql } from "../db/sql.js";

export type QrState = "waiting" | "scanned" | "confirmed" | "cancelled" | "expired" | "redeemed" | "failed";

/** A QR login session as kept. */
export interface QrSession {
  ref: string;
  clientKind: QrClientKind;
  clientName: string;
  /** The requester's public key (SPKI DER, base64). */
  publicKey: string;
  fingerprint: string;
  challengeHash: string;
  state: QrState;
  createdAt: number;
  expiresAt: number;
  approverId: string | null;
  proofFailures: number;
}

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

const fromRow = (row: QrRow): QrSession => ({
  ref: row.ref,
  clientKind: row.client_kind,
  clientName: row.client_name,
  publicKey: row.public_key,
  fingerprint: row.fingerprint,
  challengeHash: row.challenge_hash,
  state: row.state,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  approverId: row.approver_id,
  proofFailures: row.proof_failures,
});

/**
 * The rows of qr_logins. Each state transition is one conditional UPDATE that answers whether it
 * happened, so of two racing callers exactly one wins.
 */
export function qrLoginStore(sql: Sql) {
  const byRef = "SELECT * FROM qr_logins WHERE ref = ?";
  const insert = `INSERT INTO qr_logins (ref, requester, client_kind, client_name, public_key, fingerprint, challenge_hash, state, created_at, expires_at)
     VALUES (@ref, @requester, @kind, @name, @publicKey, @fingerprint, @challengeHash, 'waiting', @createdAt, @expiresAt)`;
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
  const dropWaiting = "DELETE FROM qr_logins WHERE ref = ? AND state = 'waiting'";
  const expireOne =
    "UPDATE qr_logins SET state = 'expired' WHERE ref = ? AND state IN ('waiting', 'scanned', 'confirmed')";

  const changedOne = async (count: Promise<number>) => (await count) === 1;

  return {
    byRef: async (ref: string): Promise<QrSession | undefined> => {
      const row = await sql.one<QrRow>(byRef, [ref]);
      return row ? fromRow(row) : undefined;
    },
    insert: async (session: {
      ref: string;
      requester: string;
      kind: QrClientKind;
      name: string;
      publicKey: string;
      fingerprint: string;
      challengeHash: string;
      createdAt: number;
      expiresAt: number;
    }): Promise<void> => {
      await sql.run(insert, session);
    },
    /** Forgets the sessions created before `at`, whatever their state. */
    forgetCreatedBefore: async (at: number): Promise<void> => {
      await sql.run(forget, [at]);
    },

    /** waiting → scanned by the person, unless expired by `now`. */
    markScanned: (ref: string, personId: string, now: number) =>
      changedOne(sql.run(toScanned, [personId, now, ref, now])),
    /** scanned by the person → confirmed, to be redeemed by `redeemBy`. */
    markConfirmed: (ref: string, personId: string, now: number, redeemBy: number) =>
      changedOne(sql.run(toConfirmed, { ref, personId, now, redeemBy })),
    /** scanned by the person → cancelled. */
    markCancelled: (ref: string, personId: string, now: number) =>
      changedOne(sql.run(toCancelled, { ref, personId, now })),
    /** confirmed → redeemed, unless expired by `now`. */
    markRedeemed: (ref: string, now: number) => changedOne(sql.run(toRedeemed, [now, ref, now])),
    /** One more wrong key proof; the session fails at the `max`th. */
    countProofFailure: async (ref: string, max: number): Promise<void> => {
      await sql.run(countProofFailure, [max, ref]);
    },
    /** Open sessions whose time ran out by `now` → expired; their refs. */
    expireDue: async (now: number): Promise<string[]> =>
      (await sql.all<{ ref: string }>(expireDue, [now])).map((row) => row.ref),
    /** Forgets the session if nobody has scanned it; whether it did. */
    dropWaiting: (ref: string) => changedOne(sql.run(dropWaiting, [ref])),
    /** The session → expired, if still open. */
    expire: async (ref: string): Promise<void> => {
      await sql.run(expireOne, [ref]);
    },
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
  };
}

export type QrLoginStore = ReturnType<typeof qrLoginStore>;
