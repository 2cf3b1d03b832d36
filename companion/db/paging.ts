import type { Page, PageQuery } from "../../shared/api/paging.js";
import { AppError } from "../errors.js";

/** A row's sort key, the last of which a cursor names: e.g. [created_at, id]. */
export type SortKey = ReadonlyArray<string | number>;

/**
 * Where a list starts, for keyset conditions written without OR (`key > @after`), which an index
 * answers as a range: before every creation time, 纳税人识别号 and position, after every seq.
 */
export const LIST_START = { number: Number.MIN_SAFE_INTEGER, string: "", newest: Number.MAX_SAFE_INTEGER } as const;
/** After every position (`key <= @upTo`). */
export const LIST_END = { number: Number.MAX_SAFE_INTEGER } as const;

/** The opaque cursor of a sort key (base64url JSON: clients never look inside). */
export const encodeCursor = (key: SortKey): string => Buffer.from(JSON.stringify(key)).toString("base64url");

/**
 * The sort key a cursor names, checked against the shape the list expects (its kinds in order).
 * A cursor made up or taken from another list is refused, never misread.
 */
export function decodeCursor(cursor: string | undefined, kinds: ReadonlyArray<"string" | "number">): SortKey | null {
  if (cursor === undefined) return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    key = undefined;
  }
  const valid =
    Array.isArray(key) &&
    key.length === kinds.length &&
    key.every((value, index) => typeof value === kinds[index] && (typeof value !== "number" || Number.isFinite(value)));
  if (!valid) throw new AppError("VALIDATION_FAILED", { fields: { cursor: "分页位置无效，请从第一页重新查询" } });
  return key as SortKey;
}

/**
 * A page from rows read with `LIMIT limit + 1`: the extra row only says that another page follows.
 */
function pageOfRows<Row, Item>(
  rows: Row[],
  query: Pick<PageQuery, "limit">,
  total: number,
  keyOf: (row: Row) => SortKey,
  view: (row: Row) => Item,
): Page<Item> {
  const more = rows.length > query.limit;
  const shown = more ? rows.slice(0, query.limit) : rows;
  const last = shown.at(-1);
  return { items: shown.map(view), total, nextCursor: more && last ? encodeCursor(keyOf(last)) : null };
}

/** Compares sort keys element by element (numbers as numbers, strings by code unit, as SQLite's BINARY). */
function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * One list, as the pages read it: its rows in order after a row's key (an indexed query), how many
 * rows it has, and what its search looks at.
 */
export interface ListReader<Row> {
  /** The kinds of the sort key's parts, which a cursor must have. */
  kinds: ReadonlyArray<"string" | "number">;
  keyOf(row: Row): SortKey;
  /** Newest first: a later row has a smaller key. */
  descending?: boolean;
  /** Up to `size` rows after the row `after` names (from the first row when null). */
  rows(after: SortKey | null, size: number): Promise<Row[]>;
  /** Every row of the list. */
  count(): Promise<number>;
  /** The row is found by the search `needle` (查询). */
  matches(row: Row, needle: string): boolean;
}

/** Rows a search reads at a time, between which other requests get their turn. */
const SEARCH_SLICE_ROWS = 100;

/** Lets the requests waiting for the event loop run before going on. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A page of a list: without a search, one indexed read after the cursor and a count. A search reads
 * the whole list in slices of SEARCH_SLICE_ROWS, letting other requests run in between, so that even
 * a search of 20,000 rows never holds the event loop: it counts the matches and keeps the first
 * `limit` after the cursor.
 */
export async function readPage<Row, Item>(
  list: ListReader<Row>,
  query: PageQuery,
  view: (row: Row) => Item,
): Promise<Page<Item>> {
  const after = decodeCursor(query.cursor, list.kinds);
  const needle = query.q ?? "";
  if (!needle) {
    const [rows, total] = await Promise.all([list.rows(after, query.limit + 1), list.count()]);
    return pageOfRows(rows, query, total, list.keyOf, view);
  }
  const isAfter = (row: Row) => {
    if (after === null) return true;
    const order = compareKeys(list.keyOf(row), after);
    return list.descending ? order < 0 : order > 0;
  };
  const found: Row[] = [];
  let total = 0;
  let from: SortKey | null = null;
  for (;;) {
    const slice = await list.rows(from, SEARCH_SLICE_ROWS);
    for (const row of slice) {
      if (!list.matches(row, needle)) continue;
      total += 1;
      if (found.length <= query.limit && isAfter(row)) found.push(row);
    }
    const last = slice.at(-1);
    if (slice.length < SEARCH_SLICE_ROWS || last === undefined) break;
    from = list.keyOf(last);
    await nextTurn();
  }
  return pageOfRows(found, query, total, list.keyOf, view);
}

/** A list held in memory, already in its order, read as a ListReader. */
export function listInMemory<T>(
  items: T[],
  kinds: ReadonlyArray<"string" | "number">,
  keyOf: (item: T) => SortKey,
  matches: (item: T, needle: string) => boolean,
): ListReader<T> {
  return {
    kinds,
    keyOf,
    rows: async (after, size) =>
      (after === null ? items : items.filter((item) => compareKeys(keyOf(item), after) > 0)).slice(0, size),
    count: async () => items.length,
    matches,
  };
}
