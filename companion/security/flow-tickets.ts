import type { Clock } from "../clock.js";
import type { Sql } from "../db/sql.js";
import { newToken, tokenDigest } from "./secrets.js";

export type FlowPurpose = "register" | "register-face" | "reset-password";

/**
 * A ticket proves that an earlier step of a multi-step flow was passed (the hall code was right,
 * the captcha and identity were right). Random, stored hashed, short-lived.
 */
export interface FlowTickets {
  issue(purpose: FlowPurpose, subjectId: string, ttlMs: number): Promise<string>;
  /** The subject of a live ticket, or null. */
  find(purpose: FlowPurpose, ticket: string): Promise<{ subjectId: string; phone: string | null } | null>;
  bindPhone(purpose: FlowPurpose, ticket: string, phone: string): Promise<void>;
  revoke(purpose: FlowPurpose, ticket: string): Promise<void>;
}

export function flowTickets(sql: Sql, clock: Clock): FlowTickets {
  return {
    async issue(purpose, subjectId, ttlMs) {
      const ticket = newToken();
      const now = clock.now();
      await sql.run("DELETE FROM flow_tickets WHERE expires_at <= ?", [now]);
      await sql.run("INSERT INTO flow_tickets (ticket_hash, purpose, subject_id, expires_at) VALUES (?, ?, ?, ?)", [
        tokenDigest(ticket),
        purpose,
        subjectId,
        now + ttlMs,
      ]);
      return ticket;
    },
    async find(purpose, ticket) {
      const row = await sql.one<{ subject_id: string; phone: string | null; expires_at: number }>(
        "SELECT subject_id, phone, expires_at FROM flow_tickets WHERE ticket_hash = ? AND purpose = ?",
        [tokenDigest(ticket), purpose],
      );
      if (!row || row.expires_at <= clock.now()) return null;
      return { subjectId: row.subject_id, phone: row.phone };
    },
    async bindPhone(purpose, ticket, phone) {
      await sql.run("UPDATE flow_tickets SET phone = ? WHERE ticket_hash = ? AND purpose = ?", [
        phone,
        tokenDigest(ticket),
        purpose,
      ]);
    },
    async revoke(purpose, ticket) {
      await sql.run("DELETE FROM flow_tickets WHERE ticket_hash = ? AND purpose = ?", [tokenDigest(ticket), purpose]);
    },
  };
}
