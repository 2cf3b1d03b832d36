import type { Page, PageQuery } from "../../shared/api/paging.js";
import { AppError } from "../errors.js";

/** A row's sort key, the last of which a cursor names: e.g. [created_at, id]. */
export type SortKey = ReadonlyArray<string | number>;

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
export function pageOfRows<Row, Item>(
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

/** A page of a list held in memory, sorted by `keyOf`: the same cursors as a list in the database. */
export function pageOfList<T, Item>(
  all: T[],
  query: PageQuery,
  kinds: ReadonlyArray<"string" | "number">,
  keyOf: (item: T) => SortKey,
  matches: (item: T, needle: string) => boolean,
  view: (item: T) => Item,
): Page<Item> {
  const after = decodeCursor(query.cursor, kinds);
  const needle = query.q ?? "";
  const found = (needle ? all.filter((item) => matches(item, needle)) : all).sort((a, b) =>
    compareKeys(keyOf(a), keyOf(b)),
  );
  const rest = after ? found.filter((item) => compareKeys(keyOf(item), after) > 0) : found;
  return pageOfRows(rest.slice(0, query.limit + 1), query, found.length, keyOf, view);
}
