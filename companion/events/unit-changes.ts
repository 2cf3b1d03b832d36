import type { Clock } from "../clock.js";
import { DAY, HOUR } from "../clock.js";
import type { Db } from "../db/database.js";

export type UnitChangeKind = "unit" | "grant" | "office" | "password" | "local";

export interface UnitChange {
  tin: string;
  kind: UnitChangeKind;
}

const POLL_MS = 1_000;

/**
 * Changes that may end unit sessions, as rows of unit_changes: a writer records one inside the
 * transaction of its change (in this process or another, like the hall CLI); the companion reads
 * what is new — at once after its own writes, and once a second for other processes' — and tells
 * its watchers. One indexed read a second, however many sessions are open.
 */
export function unitChanges(db: Db, clock: Clock) {
  const insert = db.prepare("INSERT INTO unit_changes (at, unit_tin, kind) VALUES (?, ?, ?)");
  const newer = db.prepare("SELECT seq, unit_tin AS tin, kind FROM unit_changes WHERE seq > ? ORDER BY seq LIMIT 1000");
  const head = db.prepare("SELECT COALESCE(MAX(seq), 0) FROM unit_changes").pluck();
  const prune = db.prepare("DELETE FROM unit_changes WHERE at < ?");
  const watchers = new Set<(change: UnitChange) => void>();
  const stale = new Set<() => void>();
  let seen = head.get() as number;
  let poller: NodeJS.Timeout | undefined;
  let pruner: NodeJS.Timeout | undefined;

  function poll(): void {
    for (;;) {
      const rows = newer.all(seen) as Array<UnitChange & { seq: number }>;
      for (const { seq, tin, kind } of rows) {
        seen = seq;
        for (const forget of stale) forget();
        for (const watcher of watchers) watcher({ tin, kind });
      }
      if (rows.length < 1000) return;
    }
  }

  return {
    /** Records a change; call inside the transaction that makes it. */
    record(tin: string, kind: UnitChangeKind): void {
      insert.run(clock.now(), tin, kind);
      for (const forget of stale) forget();
    },
    /**
     * `forget` runs at once whenever a change is recorded here, and when one made by another process
     * is read: for values derived from grants and offices, which must not outlive them.
     */
    onAnyChange(forget: () => void): void {
      stale.add(forget);
    },
    /** Reads and announces what is new (after this process's own commits, for an answer at once). */
    poll,
    watch(watcher: (change: UnitChange) => void): () => void {
      watchers.add(watcher);
      return () => watchers.delete(watcher);
    },
    /** Follows other processes' changes, and forgets rows a day old. */
    start(): void {
      poller ??= setInterval(poll, POLL_MS);
      const forget = () => prune.run(clock.now() - DAY);
      forget();
      pruner ??= setInterval(forget, HOUR);
      poller.unref();
      pruner.unref();
    },
    stop(): void {
      clearInterval(poller);
      clearInterval(pruner);
      poller = pruner = undefined;
    },
  };
}

export type UnitChanges = ReturnType<typeof unitChanges>;
