import type { PageQuery } from "../../shared/api/paging.js";
import type { DesktopResult } from "../../shared/desktop/protocol.js";
import type { Person } from "../accounts/people.js";
import type { Clock } from "../clock.js";
import { readPage } from "../db/paging.js";
import { AppError } from "../errors.js";
import type { UnitChanges } from "../events/unit-changes.js";
import type { ListOrder, UnitListStore } from "./unit-list-store.js";

type UnitsList = DesktopResult<"units.list">;

/** First pages kept at most before starting over. */
const MAX_KEPT_PAGES = 10_000;

/** Whose list, seen from which login (the digest of its token). */
export interface ListViewer {
  personId: string;
  session: string;
}

export interface UnitListDeps {
  store: UnitListStore;
  changes: Pick<UnitChanges, "onAnyChange">;
  clock: Pick<Clock, "now">;
}

/**
 * Each person's 单位管理 list: its pages, 添加, and its order. ▲ ▼ (自定义排序) reorder the list for
 * the login that moves, from its first move until it ends; 设定为默认排序 saves that order as the
 * one every new login starts from.
 */
export function unitListService({ store, changes, clock }: UnitListDeps) {
  // 单位管理 is the desktop clients' most frequent request: each order's first page is kept for
  // the day until a unit, grant or office changes anywhere, or a list or an order does.
  const firstPages = new Map<string, UnitsList>();
  /** Moves on with every change, so a page read before one is never kept after it. */
  let generation = 0;
  const forget = () => {
    generation += 1;
    firstPages.clear();
  };
  changes.onAnyChange(forget);

  /**
   * The logins with an order of their own. A desktop login lives on the one connection of this
   * companion that holds it, so this companion alone reads and moves that order.
   */
  const ownOrders = new Set<string>();
  const orderOf = ({ personId, session }: ListViewer): ListOrder =>
    ownOrders.has(session) ? { session } : { personId };

  type Order = ReturnType<UnitListStore["order"]>;

  /** The rows a unit moved to `rank` (1-based) goes between, itself left out: before it, after it. */
  async function gapAt(order: Order, tin: string, rank: number): Promise<{ low?: number; high?: number }> {
    if (rank === 1) {
      const [first] = await order.twoOfOthersFrom(tin, 0);
      return { high: first };
    }
    const [low, high] = await order.twoOfOthersFrom(tin, rank - 2);
    // Past the end of the list: after its last row.
    if (low === undefined) return { low: await order.lastOfOthers(tin) };
    return { low, high };
  }

  async function moveTo(order: Order, tin: string, rank: number): Promise<void> {
    const { low, high } = await gapAt(order, tin, rank);
    if (low === undefined && high === undefined) return; // alone on the list
    const next = low === undefined ? (high as number) - 1 : high === undefined ? low + 1 : low + (high - low) / 2;
    // Halving runs out after some fifty moves into the same gap: then spread the list out again.
    if (next === low || next === high) {
      await order.renumber();
      await moveTo(order, tin, rank);
    } else {
      await order.setPosition(tin, next);
    }
  }

  async function readListPage(viewer: ListViewer, person: Person, today: string, query: PageQuery): Promise<UnitsList> {
    const totals = await store.totalsOf(person.id);
    const found = await readPage(store.order(orderOf(viewer)).list(totals.count), query, (row) => row.unit);
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

  /** Runs `change` on the viewer's order in one transaction, the person's list held meanwhile. */
  function changeOrder<T>(viewer: ListViewer, change: () => Promise<T>): Promise<T> {
    forget();
    return store.transaction(async () => {
      await store.lockList(viewer.personId);
      return change();
    });
  }

  return {
    /** A page of the person's list in the login's order; q (查询) finds a 纳税人识别号 or 纳税人名称. */
    async page(viewer: ListViewer, person: () => Promise<Person>, today: string, query: PageQuery): Promise<UnitsList> {
      const order = orderOf(viewer);
      const owner = "session" in order ? `session ${order.session}` : `person ${order.personId}`;
      const first = query.cursor === undefined && !query.q ? `${owner} ${today} ${query.limit}` : null;
      const kept = first === null ? undefined : firstPages.get(first);
      if (kept) return kept;
      const readAt = generation;
      const answer = await readListPage(viewer, await person(), today, query);
      if (first !== null && readAt === generation) {
        if (firstPages.size >= MAX_KEPT_PAGES) firstPages.clear();
        firstPages.set(first, answer);
      }
      return answer;
    },

    /** 添加: appends a unit to the person's list (once), in every order; answers its 1-based place in the login's. */
    add(viewer: ListViewer, tin: string): Promise<number> {
      return changeOrder(viewer, async () => {
        await store.append(viewer.personId, tin);
        return store.order(orderOf(viewer)).rankOf(tin);
      });
    },

    /**
     * ▲ ▼ or to a position, for this login only: one unit moves, the others keep their order. The
     * login's first move starts its own order from the saved default.
     */
    move(viewer: ListViewer, tin: string, to: "up" | "down" | number): Promise<number> {
      const { personId, session } = viewer;
      return changeOrder(viewer, async () => {
        if (!ownOrders.has(session)) {
          await store.copyDefault(personId, session, clock.now());
          store.afterCommit(() => ownOrders.add(session));
        }
        const order = store.order({ session });
        const current = await order.positionOf(tin);
        if (current === undefined) {
          throw new AppError("VALIDATION_FAILED", { fields: { tin: "该单位不在您的单位列表中" } });
        }
        if (typeof to === "number") await moveTo(order, tin, to);
        else {
          const other = await order.neighbour(current, to);
          if (other) {
            await order.setPosition(tin, other.position);
            await order.setPosition(other.tin, current);
          }
        }
        return order.rankOf(tin);
      });
    },

    /** 设定为默认排序: the login's order becomes the one the person's new logins start from. */
    async saveAsDefault(viewer: ListViewer): Promise<void> {
      // A login that moved nothing shows the saved default already.
      if (!ownOrders.has(viewer.session)) return;
      await changeOrder(viewer, () => store.saveAsDefault(viewer.personId, viewer.session));
    },

    /** 恢复默认排序: the login leaves its own order and shows the saved default again. */
    async backToDefault(viewer: ListViewer): Promise<void> {
      if (!ownOrders.has(viewer.session)) return;
      await changeOrder(viewer, async () => {
        await store.dropSession(viewer.session);
        store.afterCommit(() => ownOrders.delete(viewer.session));
      });
    },

    /** The login ended: its own order goes with it (one left behind is dropped at the person's next first move). */
    async endSession(session: string): Promise<void> {
      if (!ownOrders.delete(session)) return;
      forget();
      await store.dropSession(session);
    },
  };
}

export type UnitListService = ReturnType<typeof unitListService>;
