import * as z from "zod";

/**
 * Every list that can grow is read a page at a time: `limit` rows (default 50, at most 500) after
 * `cursor`, the `nextCursor` of the page before. A cursor names the last row seen, not an offset,
 * so rows added meanwhile neither repeat nor go missing. `q` searches on the server; `total`
 * counts every row that matches it.
 */
export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 500;

export const pageQueryFields = {
  cursor: z.string().min(1).max(512).optional(),
  limit: z.coerce
    .number()
    .int("每页条数应为整数")
    .min(1, "每页至少1条")
    .max(PAGE_SIZE_MAX, `每页最多${PAGE_SIZE_MAX}条`)
    .default(PAGE_SIZE_DEFAULT),
  q: z.string().trim().max(64, "查询内容不能超过64个字符").optional(),
};
export const pageQuerySchema = z.object(pageQueryFields);
export type PageQuery = z.output<typeof pageQuerySchema>;
export type PageRequest = z.input<typeof pageQuerySchema>;

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    /** Rows matching the search, all pages together. */
    total: z.number().int().nonnegative(),
    /** Pass as `cursor` for the next page; null on the last one. */
    nextCursor: z.string().nullable(),
  });

export interface Page<T> {
  items: T[];
  total: number;
  nextCursor: string | null;
}
