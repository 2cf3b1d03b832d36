import { describe, expect, it } from "vitest";
import { officeBus } from "../../companion/events/office-bus.js";
import type { UnitChange, UnitChangeKind, UnitChangeStore } from "../../companion/events/unit-change-store.js";
import { unitChangeFeed } from "../../companion/events/unit-changes.js";
import { manualClock } from "../support/clock.js";

type Row = UnitChange & { seq: number };

/**
 * unit_changes as PostgreSQL numbers them: a writer takes its seq first and its row becomes
 * visible only when it commits — possibly after a writer that took a later seq.
 */
function fakeStore() {
  let last = 0;
  const committed: Row[] = [];
  const reads: number[][] = [];
  const store: UnitChangeStore = {
    // A write committed at once (a transaction of its own).
    insert: async (_at, tin, kind) => {
      last += 1;
      committed.push({ seq: last, tin, kind });
    },
    after: async (seq, limit) =>
      committed
        .filter((row) => row.seq > seq)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit),
    among: async (seqs) => {
      reads.push([...seqs]);
      return committed.filter((row) => seqs.includes(row.seq));
    },
    head: async () => Math.max(0, ...committed.map((row) => row.seq)),
    pruneBefore: async () => undefined,
  };
  return {
    store,
    /** The seqs looked for among the skipped ones, one list per read. */
    reads,
    /** A writer's seq, its row not yet visible. */
    take: (tin: string, kind: UnitChangeKind = "grant") => {
      last += 1;
      return { seq: last, tin, kind };
    },
    commit: (row: Row) => {
      committed.push(row);
    },
  };
}

async function feedOver(db: ReturnType<typeof fakeStore>, clock = manualClock()) {
  const feed = await unitChangeFeed({
    store: db.store,
    clock,
    bus: officeBus({ afterCommit: (fn) => fn(), notices: null }),
  });
  const told: string[] = [];
  feed.watch(({ tin }) => told.push(tin));
  return { feed, told, clock };
}

describe("the unit-change feed on a database whose commits come out of seq order", () => {
  it("tells a change committed after a later one, once", async () => {
    const db = fakeStore();
    const { feed, told } = await feedOver(db);
    const slow = db.take("A");
    const fast = db.take("B");
    db.commit(fast);
    await feed.poll();
    expect(told).toEqual(["B"]);
    db.commit(slow);
    await feed.poll();
    expect(told).toEqual(["B", "A"]);
    // Found, it is no longer looked for.
    const readsBefore = db.reads.length;
    await feed.poll();
    await feed.poll();
    expect(told).toEqual(["B", "A"]);
    expect(db.reads.length).toBe(readsBefore);
  });

  it("gives up after 30 s on a seq that never commits (rolled back)", async () => {
    const db = fakeStore();
    const { feed, told, clock } = await feedOver(db);
    const rolledBack = db.take("A");
    db.commit(db.take("B"));
    await feed.poll();
    expect(db.reads.at(-1)).toBeUndefined();
    clock.advance(10_000);
    await feed.poll();
    expect(db.reads.at(-1)).toEqual([rolledBack.seq]);
    clock.advance(20_000);
    const readsBefore = db.reads.length;
    await feed.poll();
    expect(db.reads.length).toBe(readsBefore);
    // Were it to appear now, it is not told: by then it is too late to be a commit still in flight.
    db.commit(rolledBack);
    await feed.poll();
    expect(told).toEqual(["B"]);
  });

  it("looks for at most 1,000 skipped seqs, the latest", async () => {
    const db = fakeStore();
    const { feed } = await feedOver(db);
    for (let i = 0; i < 1_500; i++) db.take("rolled back");
    const last = db.take("B");
    db.commit(last);
    await feed.poll();
    await feed.poll();
    const looked = db.reads.at(-1) ?? [];
    expect(looked).toHaveLength(1_000);
    expect(Math.min(...looked)).toBe(last.seq - 1_000);
    expect(Math.max(...looked)).toBe(last.seq - 1);
  });
  it("reads at once at the notice a change sends, once started", async () => {
    const db = fakeStore();
    const { feed, told } = await feedOver(db);
    const tick = () => new Promise((resolve) => setTimeout(resolve, 10));
    // Not started (the hall CLI's feed): nothing is read.
    await feed.record("A", "grant");
    await tick();
    expect(told).toEqual([]);
    feed.start();
    try {
      await feed.record("B", "office");
      await tick();
      expect(told).toEqual(["A", "B"]);
    } finally {
      feed.stop();
    }
  });
});
