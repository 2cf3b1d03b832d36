import type { Sql } from "./sql.js";

/**
 * Values derived from the database, kept until the database changes — an exact cache, not a timed
 * one. Any commit empties it, by this process or by another on the same database, such as the hall
 * CLI (the engine's change mark). Checking costs one query without table access, far less than the
 * queries it saves on the desktop socket's frequent requests, whose round trip must stay close to a
 * bare WebSocket echo's.
 */
export interface DerivedCache<V> {
  get(key: string, derive: () => Promise<V>): Promise<V>;
}

export function derivedCache<V>(sql: Sql, maxEntries = 10_000): DerivedCache<V> {
  let generation = "";
  const entries = new Map<string, V>();
  return {
    async get(key, derive) {
      // Inside a transaction the data may yet be rolled back: derive afresh and keep nothing.
      if (sql.inTransaction()) return derive();
      const current = await sql.changeMark();
      if (current === null) return derive();
      if (current !== generation) {
        entries.clear();
        generation = current;
      }
      const cached = entries.get(key);
      if (cached !== undefined) return cached;
      const value = await derive();
      if (entries.size >= maxEntries) entries.clear();
      // Deriving may itself have written (e.g. ended an expired session): then it is stale already.
      if ((await sql.changeMark()) === generation) entries.set(key, value);
      return value;
    },
  };
}
