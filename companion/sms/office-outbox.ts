import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import { DAY } from "../clock.js";
import type { Sql } from "../db/sql.js";
import type { OfficeSealer } from "../office/office.js";
import type { OutboxEntry, SmsGateway } from "./gateway.js";

/** Texts are kept a week: long enough to read a code, not a record of everyone's messages. */
const KEPT_FOR = 7 * DAY;

/** The rows of sms_outbox (PostgreSQL, office mode). */
export function smsOutboxStore(sql: Sql) {
  return {
    insert: (row: { id: string; at: number; phone: string; sealedText: string }) =>
      sql.run("INSERT INTO sms_outbox (id, at, phone, sealed_text) VALUES (@id, @at, @phone, @sealedText)", row),
    /** Oldest first, like the outbox file. */
    all: () =>
      sql.all<{ id: string; at: number; phone: string; sealedText: string }>(
        `SELECT id, at, phone, sealed_text AS "sealedText" FROM sms_outbox ORDER BY at, id`,
      ),
    pruneBefore: (at: number) => sql.run("DELETE FROM sms_outbox WHERE at < ?", [at]),
  };
}

export type SmsOutboxStore = ReturnType<typeof smsOutboxStore>;

/**
 * An office's outbox, for when no SMS provider is set: texts go to the shared database (each
 * sealed under the office key, a verification code being a secret) so `taxauth hall sms-outbox`
 * on any member machine reads what any companion sent.
 */
export function officeOutbox({ store, sealer, clock }: { store: SmsOutboxStore; sealer: OfficeSealer; clock: Clock }) {
  const name = (id: string) => `sms-outbox:${id}`;
  return {
    gateway(print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): SmsGateway {
      return {
        kind: "outbox",
        async send(phone, text) {
          const id = randomUUID();
          const at = clock.now();
          await store.insert({ id, at, phone, sealedText: sealer.seal(name(id), text) });
          await store.pruneBefore(at - KEPT_FOR);
          print(`[短信发件箱] ${phone}: ${text}`);
        },
      };
    },
    async read(): Promise<OutboxEntry[]> {
      return (await store.all()).map((row) => ({
        at: new Date(row.at).toISOString(),
        phone: row.phone,
        text: sealer.open(name(row.id), row.sealedText) ?? "（无法解密：不是本办公室的短信）",
      }));
    },
  };
}
