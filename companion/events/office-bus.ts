import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Sql } from "../db/sql.js";

/** The one channel every companion of an office listens on. */
const CHANNEL = "taxauth";
/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; a notice carries ids and kinds. */
const MAX_NOTICE_BYTES = 7_999;

/** A kind of notice, with the schema a notice from another companion must pass. */
export interface BusTopic<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
}

export const busTopic = <T>(name: string, schema: z.ZodType<T>): BusTopic<T> => ({ name, schema });

export interface BusSubscriber<T> {
  /** A notice, published here (at its commit) or by another companion. Must not throw. */
  receive(payload: T): void;
  /** The link to the other companions was lost and is back: what was published meanwhile is missed. */
  catchUp?(): void;
}

export interface OfficeBus {
  /**
   * Tells this companion's subscribers, and through the database the other companions'. Inside a
   * transaction both happen at its commit, and neither if it rolls back.
   */
  publish<T>(topic: BusTopic<T>, payload: T): Promise<void>;
  subscribe<T>(topic: BusTopic<T>, subscriber: BusSubscriber<T>): () => void;
  /** Starts hearing the other companions. The hall CLI publishes without it. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A notice on the wire: who sent it (its own come back and are skipped), its topic and payload. */
const wireSchema = z.object({ from: z.string(), topic: z.string(), payload: z.unknown() });

/**
 * Events between the companions sharing one database. On PostgreSQL a notice is a NOTIFY on one
 * channel, heard by every companion's LISTEN; on SQLite, where each desktop has its own database,
 * there is nobody else to tell and the bus is in-process. The companion delivers its own notices
 * itself, at once, rather than wait for their echo.
 */
export function officeBus(sql: Pick<Sql, "afterCommit" | "notices">): OfficeBus {
  /** This process, among every process publishing on the database (the meta instance id is shared). */
  const origin = randomBytes(9).toString("base64url");
  const topics = new Map<string, { topic: BusTopic<unknown>; subscribers: Set<BusSubscriber<unknown>> }>();
  let stopListening: (() => Promise<void>) | null = null;

  function deliver(name: string, payload: unknown): void {
    for (const subscriber of topics.get(name)?.subscribers ?? []) subscriber.receive(payload);
  }

  /** A notice from the channel: only another process's, only a topic heard here, only if it is well formed. */
  function received(text: string): void {
    let wire: z.infer<typeof wireSchema>;
    try {
      wire = wireSchema.parse(JSON.parse(text));
    } catch {
      return;
    }
    const entry = topics.get(wire.topic);
    if (wire.from === origin || !entry) return;
    const payload = entry.topic.schema.safeParse(wire.payload);
    if (payload.success) deliver(wire.topic, payload.data);
  }

  return {
    async publish(topic, payload) {
      const text = JSON.stringify({ from: origin, topic: topic.name, payload });
      const bytes = Buffer.byteLength(text);
      if (bytes > MAX_NOTICE_BYTES) throw new Error(`a ${topic.name} notice of ${bytes} bytes is too large`);
      sql.afterCommit(() => deliver(topic.name, payload));
      await sql.notices?.send(CHANNEL, text);
    },

    subscribe(topic, subscriber) {
      let entry = topics.get(topic.name);
      if (!entry) {
        entry = { topic: topic as BusTopic<unknown>, subscribers: new Set() };
        topics.set(topic.name, entry);
      }
      const subscribers = entry.subscribers;
      subscribers.add(subscriber as BusSubscriber<unknown>);
      return () => subscribers.delete(subscriber as BusSubscriber<unknown>);
    },

    async start() {
      if (stopListening || !sql.notices) return;
      stopListening = await sql.notices.listen(CHANNEL, {
        notified: received,
        reconnected: () => {
          for (const { subscribers } of topics.values()) for (const subscriber of subscribers) subscriber.catchUp?.();
        },
      });
    },

    async stop() {
      const stop = stopListening;
      stopListening = null;
      await stop?.();
    },
  };
}
