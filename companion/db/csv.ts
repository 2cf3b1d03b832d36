import { Readable } from "node:stream";
import { type ListReader, nextTurn, type SortKey } from "./paging.js";

/** Rows written per turn of the event loop by a CSV export. */
const CSV_SLICE_ROWS = 50;

/** A name in a file name: without the characters file systems refuse. */
export const fileNamePart = (name: string) => name.replace(/[\\/:*?"<>|]/g, "_");

const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** One CSV line (CRLF, as spreadsheet programs write it). */
export const csvLine = (cells: string[]) => `${cells.map(csvCell).join(",")}\r\n`;

/**
 * A list as CSV, UTF-8 with a BOM (so spreadsheet programs read the Chinese): a title line saying
 * what was exported and when, the header, then the rows, read a slice at a time so that a list of
 * any size neither fills memory nor holds the event loop.
 */
export function csvStream<Row>(
  title: string[],
  header: string[],
  list: ListReader<Row>,
  cells: (row: Row) => string[],
): Readable {
  async function* lines(): AsyncGenerator<string> {
    yield `\uFEFF${csvLine(title)}${csvLine(header)}`;
    let after: SortKey | null = null;
    for (;;) {
      const rows = await list.rows(after, CSV_SLICE_ROWS);
      yield rows.map((row) => csvLine(cells(row))).join("");
      const last = rows.at(-1);
      if (rows.length < CSV_SLICE_ROWS || !last) return;
      after = list.keyOf(last);
      await nextTurn();
    }
  }
  return Readable.from(lines());
}
