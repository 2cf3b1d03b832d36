import { z } from "zod";
import type { Clock } from "../clock.js";
import { DAY, HOUR } from "../clock.js";
import { busTopic, type OfficeBus } from "./office-bus.js";
import type { UnitChange, UnitChangeKind, UnitChangeStore } from "./unit-change-store.js";

const POLL_MS = 1_000;
/** Changes read per query while catching up. */
const READ_BATCH = 1000;
/**
 * A seq skipped over is looked for this long: on PostgreSQL a transaction takes its seq when it
 * writes and may commit after a later one. A seq that never comes (rolled back) is given up.
 */
const GAP_WAIT_MS = 30_000;
/** Skipped seqs looked for at most; past this the oldest are given up (a burst of rollbacks). */
const MAX_GAPS = 1_000;

/** "Something changed at a unit": other companions read unit_changes at once rather than at their next poll. */
const unitChangeNotices = busTopic("unit-change", z.object({}));

/**
 * Changes that may end unit sessions, as rows of unit_changes: a writer records one inside the
 * transaction of its change (in this process or another, like the hall CLI); the companion reads
 * what is new — at once after its own writes and at a notice from another companion of the office,
 * and once a second for the rest — and tells its watchers. One indexed read a second, however many
 * sessions are open.
 *
 * A feed rather than a service: it decides nothing about a unit, it only carries each change to
 * whoever derived something from the unit's state.
 */
export async function unitChangeFeed({
  store,
  clock,
  bus,
}: {
  store: UnitChangeStore;
  clock: Clock;
  bus: Pick<OfficeBus, "publish" | "subscribe">;
}) {
  const watchers = new Set<(change: UnitChange) => void>();
  const stale = new Set<() => void>();
  let seen = await store.head();
  /** Seqs below `seen` not read yet, and since when they are looked for (oldest first). */
  const gaps = new Map<number, number>();
  let poller: NodeJS.Timeout | undefined;
  let pruner: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  /** The read under way: polls asked for meanwhile share it, and one more follows if needed. */
  let reading: Promise<void> | null = null;
  let again = false;

  function announce(change: UnitChange): void {
    for (const forget of stale) forget();
    for (const watcher of watchers) watcher({ tin: change.tin, kind: change.kind });
  }

  /** Seqs `from` up to `to` (not included) were passed over: look for them a while (the latest, up to MAX_GAPS). */
  function skipped(from: number, to: number): void {
    const now = clock.now();
    for (let seq = Math.max(from, to - MAX_GAPS); seq < to; seq++) gaps.set(seq, now);
    for (const seq of gaps.keys()) {
      if (gaps.size <= MAX_GAPS) break;
      gaps.delete(seq);
    }
  }

  /** Skipped seqs committed since: told now, once. */
  async function readGaps(): Promise<void> {
    const now = clock.now();
    for (const [seq, since] of gaps) if (now - since >= GAP_WAIT_MS) gaps.delete(seq);
    if (gaps.size === 0) return;
    for (const row of await store.among([...gaps.keys()])) if (gaps.delete(row.seq)) announce(row);
  }

  async function readNew(): Promise<void> {
    await readGaps();
    for (;;) {
      const rows = await store.after(seen, READ_BATCH);
      for (const row of rows) {
        if (row.seq <= seen) continue;
        skipped(seen + 1, row.seq);
        seen = row.seq;
        announce(row);
      }
      if (rows.length < READ_BATCH) return;
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
  // A database that cannot answer now is asked again at the next poll.
  const pollSoon = () => void poll().catch(() => undefined);

  return {
    /** Records a change; call inside the transaction that makes it. */
    async record(tin: string, kind: UnitChangeKind): Promise<void> {
      await store.insert(clock.now(), tin, kind);
      await bus.publish(unitChangeNotices, {});
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
    /** Follows other processes' changes (at their notices, and polling), and forgets rows a day old. */
    start(): void {
      unsubscribe ??= bus.subscribe(unitChangeNotices, { receive: pollSoon, catchUp: pollSoon });
      poller ??= setInterval(pollSoon, POLL_MS);
      const forget = () => void store.pruneBefore(clock.now() - DAY).catch(() => undefined);
      forget();
      pruner ??= setInterval(forget, HOUR);
      poller.unref();
      pruner.unref();
    },
    stop(): void {
      clearInterval(poller);
      clearInterval(pruner);
      unsubscribe?.();
      poller = pruner = unsubscribe = undefined;
    },
  };
}

export type UnitChanges = Awaited<ReturnType<typeof unitChangeFeed>>;
