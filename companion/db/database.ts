import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { chmodSync, closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { secureDataDir } from "../data-dir.js";
import { newerSchemaError, SQLITE_MIGRATIONS } from "./migrations.js";
import type { Sql, SqlParams, SqlValue } from "./sql.js";

export const DB_FILE_NAME = "taxauth.sqlite";

/** The database and the files SQLite keeps beside it in WAL mode. */
const sqliteFiles = (file: string) => [file, `${file}-wal`, `${file}-shm`];

/**
 * Opens (creating if needed) the companion's SQLite file in WAL mode and applies migrations. The
 * file, its WAL and its shared memory are the user's only (0600), whatever the umask.
 */
export function openDatabase(dataDir: string): Sql {
  secureDataDir(dataDir);
  const file = join(dataDir, DB_FILE_NAME);
  // SQLite gives the WAL and SHM files the database file's mode: create it 0600 first.
  closeSync(openSync(file, "a", 0o600));
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  // Files made by an older companion, or by another process's umask, are tightened too.
  for (const name of sqliteFiles(file)) if (existsSync(name)) chmodSync(name, 0o600);
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  // CLI commands and the running companion share the file: wait for each other's writes.
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return sqlite(db);
}

function migrate(db: Database.Database): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
  );
  const applied = new Set(db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[]);
  const known = Math.max(...SQLITE_MIGRATIONS.map((migration) => migration.version));
  const newest = Math.max(0, ...applied);
  if (newest > known) {
    db.close();
    throw newerSchemaError(newest, known);
  }
  for (const migration of SQLITE_MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        Date.now(),
      );
    }).immediate();
  }
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('instance_id', ?)").run(randomUUID());
}

/**
 * The companion's database: PostgreSQL when a URL is given (loaded only then), else the SQLite
 * file in the data dir.
 */
export async function openSql(config: { dataDir: string; databaseUrl?: string | undefined }): Promise<Sql> {
  if (!config.databaseUrl) return openDatabase(config.dataDir);
  const { openPostgres } = await import("./postgres.js");
  return openPostgres(config.databaseUrl);
}

/** A random id for this data dir, so several data dirs can share one OS keychain. */
export async function instanceId(sql: Sql): Promise<string> {
  const id = await sql.value<string>("SELECT value FROM meta WHERE key = 'instance_id'");
  if (id === undefined) throw new Error("the database has no instance id");
  return id;
}

/** Statements kept prepared, by text: a store's statements are few and fixed. */
const MAX_PREPARED = 1_000;

/**
 * The embedded SQLite behind the Sql door. better-sqlite3 answers synchronously; a transaction,
 * though, spans awaits, so while one is open the connection is its alone: statements from
 * elsewhere wait for it to end (they would otherwise become part of it), and so do other
 * transactions. Outside a transaction a statement runs at once.
 */
function sqlite(db: Database.Database): Sql {
  const prepared = new Map<string, Database.Statement>();
  const plucked = new Map<string, Database.Statement>();
  const statement = (text: string, kept = prepared, prepare = () => db.prepare(text)): Database.Statement => {
    let found = kept.get(text);
    if (!found) {
      if (kept.size >= MAX_PREPARED) kept.clear();
      found = prepare();
      kept.set(text, found);
    }
    return found;
  };
  const firstColumn = (text: string) => statement(text, plucked, () => db.prepare(text).pluck());
  const changeMark = db.prepare("SELECT total_changes() || ':' || data_version FROM pragma_data_version()").pluck();

  /** The transaction now holding the connection, and the async context it runs in. */
  const context = new AsyncLocalStorage<symbol>();
  let holder: symbol | null = null;
  let savepoints = 0;
  /** What the holder's transaction runs once it commits. */
  let committed: Array<() => void> = [];
  const waiting: Array<() => void> = [];
  const ours = () => holder === null || context.getStore() === holder;
  const turn = () => new Promise<void>((resolve) => waiting.push(resolve));
  const release = () => {
    holder = null;
    for (const resume of waiting.splice(0)) resume();
  };
  /** Runs a statement now if the connection is free (or ours), else when it is. */
  function when<T>(use: () => T): Promise<T> {
    if (ours()) {
      try {
        return Promise.resolve(use());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return (async () => {
      while (!ours()) await turn();
      return use();
    })();
  }

  const params = (values: SqlParams | undefined): unknown[] =>
    values === undefined ? [] : Array.isArray(values) ? values : [values];

  return {
    dialect: "sqlite",
    all: <Row>(text: string, values?: SqlParams) => when(() => statement(text).all(...params(values)) as Row[]),
    one: <Row>(text: string, values?: SqlParams) =>
      when(() => statement(text).get(...params(values)) as Row | undefined),
    value: <V extends SqlValue>(text: string, values?: SqlParams) =>
      when(() => firstColumn(text).get(...params(values)) as V | undefined),
    run: (text, values) => when(() => statement(text).run(...params(values)).changes),

    async transaction<T>(fn: () => Promise<T>): Promise<T> {
      if (holder !== null && context.getStore() === holder) {
        const name = `nested_${++savepoints}`;
        const mark = committed.length;
        db.exec(`SAVEPOINT ${name}`);
        try {
          const result = await fn();
          db.exec(`RELEASE ${name}`);
          return result;
        } catch (error) {
          db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
          committed.length = mark;
          throw error;
        }
      }
      while (holder !== null) await turn();
      const mine = Symbol("transaction");
      holder = mine;
      try {
        db.exec("BEGIN IMMEDIATE");
      } catch (error) {
        release();
        throw error;
      }
      let due: Array<() => void> = [];
      try {
        const result = await context.run(mine, fn);
        db.exec("COMMIT");
        due = committed;
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw error;
      } finally {
        committed = [];
        release();
        for (const run of due) run();
      }
    },
    inTransaction: () => holder !== null && context.getStore() === holder,
    afterCommit(fn) {
      if (holder !== null && context.getStore() === holder) committed.push(fn);
      else fn();
    },
    notices: null,
    changeMark: () => when(() => changeMark.get() as string),
    // A file on this disk does not go away the way a server does.
    onAvailability: () => () => undefined,
    async close() {
      while (holder !== null) await turn();
      db.close();
    },
  };
}
