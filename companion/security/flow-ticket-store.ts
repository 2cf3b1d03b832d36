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

const DROP_EXPIRED = "DELETE FROM flow_tickets WHERE expires_at <= ?";
const INSERT = "INSERT INTO flow_tickets (ticket_hash, purpose, subject_id, expires_at) VALUES (?, ?, ?, ?)";
const LIVE = "SELECT subject_id, phone FROM flow_tickets WHERE ticket_hash = ? AND purpose = ? AND expires_at > ?";
const BIND_PHONE = "UPDATE flow_tickets SET phone = ? WHERE ticket_hash = ? AND purpose = ?";
const REVOKE = "DELETE FROM flow_tickets WHERE ticket_hash = ? AND purpose = ?";

/**
 * The tickets are all storage: the caller chooses the lifetime, and a ticket past it is simply
 * not found.
 */
export function flowTicketStore(sql: Sql, now: () => number) {
  const tickets: FlowTickets = {
    async issue(purpose, subjectId, ttlMs) {
      const ticket = newToken();
      const issuedAt = now();
      await sql.run(DROP_EXPIRED, [issuedAt]);
      await sql.run(INSERT, [tokenDigest(ticket), purpose, subjectId, issuedAt + ttlMs]);
      return ticket;
    },
    async find(purpose, ticket) {
      const row = await sql.one<{ subject_id: string; phone: string | null }>(LIVE, [
        tokenDigest(ticket),
        purpose,
        now(),
      ]);
      return row ? { subjectId: row.subject_id, phone: row.phone } : null;
    },
    async bindPhone(purpose, ticket, phone) {
      await sql.run(BIND_PHONE, [phone, tokenDigest(ticket), purpose]);
    },
    async revoke(purpose, ticket) {
      await sql.run(REVOKE, [tokenDigest(ticket), purpose]);
    },
  };
  return { ...tickets, transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn) };
}

export type FlowTicketStore = ReturnType<typeof flowTicketStore>;
