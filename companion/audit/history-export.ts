import type { Readable } from "node:stream";
import type { HistoryEntry, HistoryFilter } from "../../shared/api/grants.js";
import { shanghaiDate, shanghaiDateTimeText, shanghaiTime } from "../../shared/dates.js";
import { csvStream, fileNamePart } from "../db/csv.js";
import type { ListReader } from "../db/paging.js";
import type { HistoryRow } from "./audit-store.js";

/** A history row as its readers see it. */
export const historyEntry = (row: HistoryRow): HistoryEntry => ({
  seq: row.seq,
  at: new Date(row.at).toISOString(),
  actor: { name: row.actorName ?? "", role: row.actorRole },
  action: row.action,
  grantId: row.grantId,
  grantee: row.granteeName ?? "",
  before: row.before,
  after: row.after,
});

const HEADER = ["时间", "操作人", "操作人身份", "操作类型", "被授权人", "变更前", "变更后"];

/** The recorded fields in words, as the manage page names them. */
const FIELD_NAMES: Record<string, string> = {
  permission: "权限类型",
  termType: "授权期限类型",
  startDate: "授权期限起",
  endDate: "授权期限止",
  endedBy: "解除方",
};
const ENDED_BY: Record<string, string> = { unit: "单位", self: "本人" };

function snapshotText(snapshot: Record<string, unknown> | null): string {
  if (!snapshot) return "";
  return Object.entries(snapshot)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([key, value]) => {
      const shown = key === "endedBy" ? (ENDED_BY[String(value)] ?? String(value)) : String(value);
      return `${FIELD_NAMES[key] ?? key}：${shown}`;
    })
    .join("；");
}

/** What a filter kept, for the file's title line. */
function filterText(filter: HistoryFilter): string {
  const parts = [
    filter.from || filter.to ? `日期 ${filter.from ?? "…"} 至 ${filter.to ?? "…"}` : "",
    filter.actor ? `操作人 ${filter.actor}` : "",
    filter.grantee ? `被授权人 ${filter.grantee}` : "",
    filter.action ? `操作类型 ${filter.action}` : "",
  ].filter(Boolean);
  return parts.length > 0 ? parts.join("，") : "全部";
}

/**
 * A unit's history (the rows a filter kept, newest first) as CSV, UTF-8 with BOM, streamed: a line
 * naming the unit, the filter and the time of the export, then the table, one row per entry.
 */
export function historyCsv(
  list: ListReader<HistoryRow>,
  unit: { tin: string; name: string },
  filter: HistoryFilter,
  now: number,
): { fileName: string; csv: Readable } {
  const title = [
    "变更记录",
    unit.name,
    unit.tin,
    `筛选 ${filterText(filter)}`,
    `导出时间 ${shanghaiDate(now)} ${shanghaiTime(now)}`,
  ];
  const cells = (row: HistoryRow) => [
    shanghaiDateTimeText(row.at),
    row.actorName ?? "",
    row.actorRole,
    row.action,
    row.granteeName ?? "",
    snapshotText(row.before),
    snapshotText(row.after),
  ];
  return {
    fileName: `变更记录_${fileNamePart(unit.name)}_${shanghaiDate(now)}.csv`,
    csv: csvStream(title, HEADER, list, cells),
  };
}
