import type { Clock } from "../clock.js";
import { DAY, HOUR } from "../clock.js";
import type { Sql } from "../db/sql.js";

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
export async function unitChanges(sql: Sql, clock: Clock) {
  const watchers = new Set<(change: UnitChange) => void>();
  const stale = new Set<() => void>();
  let seen = (await sql.value<number>("SELECT COALESCE(MAX(seq), 0) FROM unit_changes")) ?? 0;
  let poller: NodeJS.Timeout | undefined;
  let pruner: NodeJS.Timeout | undefined;
  /** The read under way: polls asked for meanwhile share it, and one more follows if needed. */
  let reading: Promise<void> | null = null;
  let again = false;

  async function readNew(): Promise<void> {
    for (;;) {
      const rows = await sql.all<UnitChange & { seq: number }>(
        "SELECT seq, unit_tin AS tin, kind FROM unit_changes WHERE seq > ? ORDER BY seq LIMIT 1000",
        [seen],
      );
      for (const { seq, tin, kind } of rows) {
        if (seq <= seen) continue;
        seen = seq;
        for (const forget of stale) forget();
        for (const watcher of watchers) watcher({ tin, kind });
      }
      if (rows.length < 1000) return;
    }
  }

  /** Reads and announces what is new; resolves once the changes committed before the call are told. */
  function poll(): Promise<void> {
    if (reading !== null) {
      again = true;
      return reading;
    }
    reading = (async () => {
      try {
        do {
          again = false;
          await readNew();
        } while (again);
      } finally {
        reading = null;
      }
    })();
    return reading;
  }

  return {
    /** Records a change; call inside the transaction that makes it. */
    async record(tin: string, kind: UnitChangeKind): Promise<void> {
      await sql.run("INSERT INTO unit_changes (at, unit_tin, kind) VALUES (?, ?, ?)", [clock.now(), tin, kind]);
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
      poller ??= setInterval(() => void poll().catch(() => undefined), POLL_MS);
      const forget = () =>
        void sql.run("DELETE FROM unit_changes WHERE at < ?", [clock.now() - DAY]).catch(() => undefined);
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

export type UnitChanges = Awaited<ReturnType<typeof unitChanges>>;
