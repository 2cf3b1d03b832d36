import type { Db } from "./database.js";

/**
 * Values derived from the database, kept until the database changes — an exact cache, not a timed
 * one. Any commit empties it: one by this connection (total_changes()) or by another process on the
 * same file, such as the hall CLI (PRAGMA data_version). Checking costs one query without table
 * access, far less than the queries it saves on the desktop socket's frequent requests, whose round
 * trip must stay close to a bare WebSocket echo's.
 */
export interface DerivedCache<V> {
  get(key: string, derive: () => V): V;
}

export function derivedCache<V>(db: Db, maxEntries = 10_000): DerivedCache<V> {
  const generationNow = db.prepare("SELECT total_changes() || ':' || data_version FROM pragma_data_version()").pluck();
  let generation = "";
  const entries = new Map<string, V>();
  return {
    get(key, derive) {
      // Inside a transaction the data may yet be rolled back: derive afresh and keep nothing.
      if (db.inTransaction) return derive();
      const current = generationNow.get() as string;
      if (current !== generation) {
        entries.clear();
        generation = current;
      }
      const cached = entries.get(key);
      if (cached !== undefined) return cached;
      const value = derive();
      if (entries.size >= maxEntries) entries.clear();
      // Deriving may itself have written (e.g. ended an expired session): then it is stale already.
      if (generationNow.get() === generation) entries.set(key, value);
      return value;
    },
  };
}
