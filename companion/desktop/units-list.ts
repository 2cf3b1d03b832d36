import type { PageQuery } from "../../shared/api/paging.js";
import type { DesktopResult } from "../../shared/desktop/protocol.js";
import type { Person } from "../accounts/people.js";
import { readPage } from "../db/paging.js";
import { AppError } from "../errors.js";
import type { UnitChanges } from "../events/unit-changes.js";
import type { UnitListStore } from "./unit-list-store.js";

type UnitsList = DesktopResult<"units.list">;

/** First pages kept at most before starting over. */
const MAX_KEPT_PAGES = 10_000;

export interface UnitListDeps {
  store: UnitListStore;
  changes: Pick<UnitChanges, "onAnyChange">;
}

/** Each person's 单位管理 list: its pages, 添加, and the custom order. */
export function unitListService({ store, changes }: UnitListDeps) {
  // 单位管理 is the desktop clients' most frequent request: each person's first page is kept for
  // the day until a unit, grant or office changes anywhere, or their own list does.
  const firstPages = new Map<string, UnitsList>();
  /** Moves on with every change, so a page read before one is never kept after it. */
  let generation = 0;
  const forget = () => {
    generation += 1;
    firstPages.clear();
  };
  changes.onAnyChange(forget);

  /** The rows a unit moved to `rank` (1-based) goes between, itself left out: before it, after it. */
  async function gapAt(personId: string, tin: string, rank: number): Promise<{ low?: number; high?: number }> {
    if (rank === 1) {
      const [first] = await store.twoOfOthersFrom(personId, tin, 0);
      return { high: first };
    }
    const [low, high] = await store.twoOfOthersFrom(personId, tin, rank - 2);
    // Past the end of the list: after its last row.
    if (low === undefined) return { low: await store.lastOfOthers(personId, tin) };
    return { low, high };
  }

  async function moveTo(personId: string, tin: string, rank: number): Promise<void> {
    const { low, high } = await gapAt(personId, tin, rank);
    if (low === undefined && high === undefined) return; // alone on the list
    const next = low === undefined ? (high as number) - 1 : high === undefined ? low + 1 : low + (high - low) / 2;
    // Halving runs out after some fifty moves into the same gap: then spread the list out again.
    if (next === low || next === high) {
      await store.renumber(personId);
      await moveTo(personId, tin, rank);
    } else {
      await store.setPosition(personId, tin, next);
    }
  }

  async function readListPage(person: Person, today: string, query: PageQuery): Promise<UnitsList> {
    const totals = await store.totalsOf(person.id);
    const found = await readPage(store.list(person.id, totals.count), query, (row) => row.unit);
    // How the person enters the page's units, asked once for the page.
    const directly = await store.directlyEntered(
      person,
      today,
      found.items.map((unit) => unit.tin),
    );
    return {
      ...found,
      items: found.items.map((unit) => ({
        ...unit,
        access: directly.has(unit.tin) ? ("direct" as const) : ("password" as const),
      })),
      totals,
    };
  }

  return {
    /** A page of the person's list in their order; q (查询) finds a 纳税人识别号 or 纳税人名称. */
    async page(personId: string, person: () => Promise<Person>, today: string, query: PageQuery): Promise<UnitsList> {
      const first = query.cursor === undefined && !query.q ? `${personId} ${today} ${query.limit}` : null;
      const kept = first === null ? undefined : firstPages.get(first);
      if (kept) return kept;
      const readAt = generation;
      const answer = await readListPage(await person(), today, query);
      if (first !== null && readAt === generation) {
        if (firstPages.size >= MAX_KEPT_PAGES) firstPages.clear();
        firstPages.set(first, answer);
      }
      return answer;
    },

    /** 添加: appends a unit to the person's list (once); answers its 1-based position. */
    add(personId: string, tin: string): Promise<number> {
      forget();
      return store.transaction(async () => {
        await store.append(personId, tin);
        return store.rankOf(personId, tin);
      });
    },

    /** ▲ ▼ or to a position: one unit of the list moves, the others keep their order. */
    move(personId: string, tin: string, to: "up" | "down" | number): Promise<number> {
      forget();
      return store.transaction(async () => {
        const current = await store.positionOf(personId, tin);
        if (current === undefined) {
          throw new AppError("VALIDATION_FAILED", { fields: { tin: "该单位不在您的单位列表中" } });
        }
        if (typeof to === "number") await moveTo(personId, tin, to);
        else {
          const other = await store.neighbour(personId, current, to);
          if (other) {
            await store.setPosition(personId, tin, other.position);
            await store.setPosition(personId, other.tin, current);
          }
        }
        return store.rankOf(personId, tin);
      });
    },
  };
}

export type UnitListService = ReturnType<typeof unitListService>;
