import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { AppError } from "../errors.js";
import { newerSchemaError } from "./migrations.js";
import { POSTGRES_MIGRATIONS } from "./migrations-postgres.js";
import type { NoticeListener, Sql, SqlParams, SqlValue } from "./sql.js";

/** Connections per companion: a desktop's requests are few at a time. */
const POOL_SIZE = 4;
/** Any two companions migrating at once take turns on this lock. */
const MIGRATION_LOCK = 4_142_857;
/** A lost listening connection is tried again after 100 ms, then twice as long each time, up to 5 s. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

// Epoch milliseconds and counts are BIGINT: read them as numbers (exact up to 2^53).
const BIGINT_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === BIGINT_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A statement in PostgreSQL's terms: `$n` placeholders, and how to order its parameters. */
interface Numbered {
  text: string;
  /** Parameter names in `$n` order, or null for positional `?`. */
  names: string[] | null;
}

/**
 * `?` and `@name` as `$1, $2, …`, outside quoted text and comments; one name used twice is one
 * parameter.
 */
export function numberPlaceholders(text: string): Numbered {
  let out = "";
  let positional = 0;
  const names: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === "'" || char === '"') {
      const end = text.indexOf(char, i + 1);
      const stop = end === -1 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop - 1;
    } else if (char === "-" && text[i + 1] === "-") {
      const end = text.indexOf("\n", i);
      const stop = end === -1 ? text.length : end;
      out += text.slice(i, stop);
      i = stop - 1;
    } else if (char === "?") {
      positional += 1;
      out += `$${positional}`;
    } else if (char === "@" && /[A-Za-z_]/.test(text[i + 1] ?? "")) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0] as string;
      let index = names.indexOf(name);
      if (index === -1) index = names.push(name) - 1;
      out += `$${index + 1}`;
      i += name.length;
    } else {
      out += char;
    }
  }
  if (positional > 0 && names.length > 0) throw new Error("a statement mixes ? and @name placeholders");
  return { text: out, names: names.length > 0 ? names : null };
}

/** Connection failures (refused, dropped, the server shutting down): the database is unreachable. */
function unreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  return (
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"].includes(code) ||
    code.startsWith("08") || // connection exception
    code === "57P01" || // admin shutdown
    code === "57P02" ||
    code === "57P03" // cannot connect now
  );
}

const isUnreachable = (error: unknown): boolean =>
  unreachable(error) ||
  (error instanceof Error && /Connection terminated|timeout exceeded when trying to connect/.test(error.message));

/** Waits between probes of a database that stopped answering: from 100 ms, doubling, up to 5 s. */
const PROBE_FIRST_MS = 100;
const PROBE_MAX_MS = 5_000;

/**
 * Whether the database answers: the first unreachable error marks it down and tells listeners;
 * then a probe retries with backoff until it answers, and listeners hear it is back. Requests
 * meanwhile fail fast with DATABASE_UNAVAILABLE and the pool makes fresh connections once it is.
 */
function availability(probe: () => Promise<unknown>) {
  const listeners = new Set<(available: boolean) => void>();
  let down = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const tell = (available: boolean) => {
    for (const listener of listeners) listener(available);
  };
  const retry = (wait: number) => {
    timer = setTimeout(() => {
      probe().then(
        () => {
          down = false;
          tell(true);
        },
        () => {
          if (!closed) retry(Math.min(wait * 2, PROBE_MAX_MS));
        },
      );
    }, wait);
    timer.unref();
  };
  return {
    /** Converts a connection failure to DATABASE_UNAVAILABLE, noting the outage. */
    failed(error: unknown): unknown {
      if (!isUnreachable(error)) return error;
      if (!down && !closed) {
        down = true;
        tell(false);
        retry(PROBE_FIRST_MS);
      }
      return new AppError("DATABASE_UNAVAILABLE");
    },
    listen(listener: (available: boolean) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close(): void {
      closed = true;
      clearTimeout(timer);
    },
  };
}

/**
 * PostgreSQL behind the Sql door, for an office whose desktops share one database. A transaction
 * holds one pooled connection for its whole length (found again through the async context);
 * statements outside one take any free connection.
 */
export async function openPostgres(url: string): Promise<Sql> {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    types,
  });
  // A dropped idle connection is replaced on next use; it must not crash the companion.
  pool.on("error", () => undefined);
  const health = availability(() => pool.query("SELECT 1"));
  const asAppError = (error: unknown) => health.failed(error);
  const numbered = new Map<string, Numbered>();
  const prepare = (text: string, params: SqlParams | undefined): { text: string; values: unknown[] } => {
    let found = numbered.get(text);
    if (!found) {
      found = numberPlaceholders(text);
      if (numbered.size >= 1_000) numbered.clear();
      numbered.set(text, found);
    }
    if (params === undefined) return { text: found.text, values: [] };
    if (Array.isArray(params)) return { text: found.text, values: params };
    const named = params as { readonly [name: string]: SqlValue | undefined };
    return { text: found.text, values: (found.names ?? []).map((name) => named[name] ?? null) };
  };

  /** The transaction the caller is in: its connection, and what it runs once it commits. */
  const context = new AsyncLocalStorage<{
    client: pg.PoolClient;
    savepoints: number;
    committed: Array<() => void>;
    /** False once it has ended: work it started without awaiting must not use its connection then. */
    open: boolean;
  }>();
  /**
   * The transaction the caller is in, while it is open. A promise started inside one and left
   * running (not awaited) keeps its async context after the commit; its statements then run on
   * their own, never on the connection the pool has taken back and may have given to another.
   */
  const openTransaction = () => {
    const held = context.getStore();
    return held?.open ? held : undefined;
  };
  async function query<Row>(text: string, params: SqlParams | undefined): Promise<pg.QueryResult & { rows: Row[] }> {
    const statement = prepare(text, params);
    const held = openTransaction();
    try {
      return held ? await held.client.query(statement) : await pool.query(statement);
    } catch (error) {
      throw asAppError(error);
    }
  }

  const sql: Sql = {
    dialect: "postgres",
    all: async <Row>(text: string, params?: SqlParams) => (await query<Row>(text, params)).rows,
    one: async <Row>(text: string, params?: SqlParams) => (await query<Row>(text, params)).rows[0],
    value: async <V extends SqlValue>(text: string, params?: SqlParams) => {
      const row = (await query<Record<string, V>>(text, params)).rows[0];
      return row === undefined ? undefined : (Object.values(row)[0] as V);
    },
    run: async (text, params) => (await query(text, params)).rowCount ?? 0,

    async transaction<T>(fn: () => Promise<T>): Promise<T> {
      const held = openTransaction();
      if (held) {
        const name = `nested_${++held.savepoints}`;
        const mark = held.committed.length;
        await held.client.query(`SAVEPOINT ${name}`);
        try {
          const result = await fn();
          await held.client.query(`RELEASE SAVEPOINT ${name}`);
          return result;
        } catch (error) {
          await held.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
          held.committed.length = mark;
          throw error;
        }
      }
      const client = await pool.connect().catch((error: unknown) => Promise.reject(asAppError(error)));
      // A connection cut while this transaction holds it errors on the client itself; the failed
      // statement reports it, so the event must not crash the companion.
      const ignore = () => undefined;
      client.on("error", ignore);
      const transaction = { client, savepoints: 0, committed: [] as Array<() => void>, open: true };
      let broken: unknown;
      let due: Array<() => void> = [];
      try {
        await client.query("BEGIN");
        const result = await context.run(transaction, fn).finally(() => {
          // Whatever fn left running belongs to no transaction from here on (see openTransaction).
          transaction.open = false;
        });
        await client.query("COMMIT");
        due = transaction.committed;
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((lost: unknown) => {
          broken = lost;
        });
        throw asAppError(error);
      } finally {
        client.off("error", ignore);
        // A connection that could not even roll back is not given to the next request.
        client.release(broken instanceof Error ? broken : undefined);
        for (const run of due) run();
      }
    },
    inTransaction: () => openTransaction() !== undefined,
    afterCommit(fn) {
      const held = openTransaction();
      if (held) held.committed.push(fn);
      else fn();
    },
    notices: {
      // On the caller's connection: inside a transaction PostgreSQL holds the notice until COMMIT.
      send: async (channel, payload) => {
        await query("SELECT pg_notify(?, ?)", [channel, payload]);
      },
      listen: (channel, listener) => listenOn(url, channel, listener),
    },
    // Other offices' companions write without telling this one: nothing derived is kept.
    changeMark: async () => null,
    onAvailability: (listener) => health.listen(listener),
    // Closing twice (the CLI's core, then the process) is closing once.
    close: async () => {
      health.close();
      if (!pool.ended) await pool.end();
    },
  };

  await migrate(sql);
  return sql;
}

/**
 * LISTEN on a connection of its own, outside the pool: a pooled connection is handed to other
 * requests and would stop hearing. When it drops (the server restarts, the network goes), it is
 * opened again with backoff and the listener is told, to catch up on what it missed.
 */
async function listenOn(url: string, channel: string, listener: NoticeListener): Promise<() => Promise<void>> {
  let current: pg.Client | null = null;
  let stopped = false;
  /** Notices may have been missed: since the last connection dropped, or since the first try failed. */
  let missed = false;
  let delay = FIRST_RETRY_MS;
  let retry: NodeJS.Timeout | undefined;

  const tryAgain = () => {
    missed = true;
    if (stopped) return;
    retry = setTimeout(() => void connect(), delay);
    delay = Math.min(delay * 2, MAX_RETRY_MS);
  };

  async function connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: 5_000,
      // A peer that vanished without closing (a cable pulled) is found out in seconds, not hours.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client.on("notification", (notice) => {
      if (notice.channel === channel && notice.payload !== undefined) listener.notified(notice.payload);
    });
    // A dropped connection reports an error, then ends; only the end decides what happens next.
    client.on("error", () => undefined);
    client.on("end", () => {
      if (current !== client) return;
      current = null;
      tryAgain();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch {
      await client.end().catch(() => undefined);
      tryAgain();
      return;
    }
    if (stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    current = client;
    delay = FIRST_RETRY_MS;
    if (missed) {
      missed = false;
      listener.reconnected();
    }
  }

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const client = current;
    current = null;
    await client?.end().catch(() => undefined);
  };
}

async function migrate(sql: Sql): Promise<void> {
  await sql.transaction(async () => {
    await sql.value("SELECT pg_advisory_xact_lock(?)", [MIGRATION_LOCK]);
    await sql.run(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    );
    const applied = new Set(
      (await sql.all<{ version: number }>("SELECT version FROM schema_migrations")).map((row) => row.version),
    );
    const known = Math.max(...POSTGRES_MIGRATIONS.map((migration) => migration.version));
    const newest = Math.max(0, ...applied);
    if (newest > known) throw newerSchemaError(newest, known);
    for (const migration of POSTGRES_MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await sql.run(migration.sql);
      await sql.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", [
        migration.version,
        migration.name,
        Date.now(),
      ]);
    }
    await sql.run("INSERT INTO meta (key, value) VALUES ('instance_id', ?) ON CONFLICT DO NOTHING", [randomUUID()]);
  });
}
