import type { Clock } from "../clock.js";
import type { Db } from "../db/database.js";
import { newToken, tokenDigest } from "./secrets.js";

export type FlowPurpose = "register" | "register-face" | "reset-password";

/**
 * A ticket proves that an earlier step of a multi-step flow was passed (the hall code was right,
 * the captcha and identity were right). Random, stored hashed, short-lived.
 */
export interface FlowTickets {
  issue(purpose: FlowPurpose, subjectId: string, ttlMs: number): string;
  /** The subject of a live ticket, or null. */
  find(purpose: FlowPurpose, ticket: string): { subjectId: string; phone: string | null } | null;
  bindPhone(purpose: FlowPurpose, ticket: string, phone: string): void;
  revoke(purpose: FlowPurpose, ticket: string): void;
}

export function flowTickets(db: Db, clock: Clock): FlowTickets {
  const insert = db.prepare(
    "INSERT INTO flow_tickets (ticket_hash, purpose, subject_id, expires_at) VALUES (?, ?, ?, ?)",
  );
  const select = db.prepare(
    "SELECT subject_id, phone, expires_at FROM flow_tickets WHERE ticket_hash = ? AND purpose = ?",
  );
  const setPhone = db.prepare("UPDATE flow_tickets SET phone = ? WHERE ticket_hash = ? AND purpose = ?");
  const remove = db.prepare("DELETE FROM flow_tickets WHERE ticket_hash = ? AND purpose = ?");
  const purge = db.prepare("DELETE FROM flow_tickets WHERE expires_at <= ?");
  return {
    issue(purpose, subjectId, ttlMs) {
      const ticket = newToken();
      const now = clock.now();
      purge.run(now);
      insert.run(tokenDigest(ticket), purpose, subjectId, now + ttlMs);
      return ticket;
    },
    find(purpose, ticket) {
      const row = select.get(tokenDigest(ticket), purpose) as
        | { subject_id: string; phone: string | null; expires_at: number }
        | undefined;
      if (!row || row.expires_at <= clock.now()) return null;
      return { subjectId: row.subject_id, phone: row.phone };
    },
    bindPhone(purpose, ticket, phone) {
      setPhone.run(phone, tokenDigest(ticket), purpose);
    },
    revoke(purpose, ticket) {
      remove.run(tokenDigest(ticket), purpose);
    },
  };
}
