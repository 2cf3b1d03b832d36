import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";

export type Db = Database.Database;

export const DB_FILE_NAME = "taxauth.sqlite";

/** Opens (creating if needed) the companion's SQLite file in WAL mode and applies migrations. */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, DB_FILE_NAME));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  // CLI commands and the running companion share the file: wait for each other's writes.
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
  );
  const applied = new Set(db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[]);
  for (const migration of MIGRATIONS) {
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

/** A random id for this data dir, so several data dirs can share one OS keychain. */
export function instanceId(db: Db): string {
  return db.prepare("SELECT value FROM meta WHERE key = 'instance_id'").pluck().get() as string;
}

/** Runs fn in a BEGIN IMMEDIATE transaction: checks and increments of a counter are one step. */
export function atomically<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
