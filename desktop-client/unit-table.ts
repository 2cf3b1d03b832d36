import type { z } from "zod";
import type { unitsListResultSchema } from "../shared/desktop/protocol.js";
import { displayWidth, padEnd } from "./terminal.js";

type UnitsList = z.infer<typeof unitsListResultSchema>;

const HEADERS = ["序号", "纳税人识别号", "纳税人名称", "部门", "分部门申报", "综合所得申报", "经营所得"];

/**
 * The seed's 单位管理 table: its columns, in the person's order, and the totals line of the whole
 * list under it (with how many rows are shown when that is not all). Under a 查询 (`q`) the rows
 * are the units found.
 */
export function unitTable({ items, total, totals }: UnitsList, q?: string): string {
  const rows = items.map((unit, index) => [
    String(index + 1),
    unit.tin,
    unit.name,
    unit.departments.length > 0 ? `${unit.departments.join("、")}[${unit.departments.length}]` : "",
    unit.departmentFiling,
    unit.comprehensiveIncome,
    unit.businessIncome,
  ]);
  const widths = HEADERS.map((header, column) =>
    Math.max(...[header, ...rows.map((row) => row[column] ?? "")].map(displayWidth)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => padEnd(cell, widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  const empty = q
    ? `（没有纳税人识别号或纳税人名称包含“${q}”的单位）`
    : "（列表为空：可用 taxauth-desk units --add <纳税人识别号> 添加单位）";
  const shown = q ? `找到 ${total} 个单位` : `共 ${total} 个单位`;
  return [
    "单位管理",
    ...(q ? [`查询：${q}（找到 ${total} 个单位）`] : []),
    line(HEADERS),
    ...(rows.length > 0 ? rows.map(line) : [empty]),
    ...(items.length < total ? [`（${shown}，显示 ${items.length} 个：--all 显示全部）`] : []),
    "",
    `单位总数: ${totals.count} 综合所得申报情况: ${totals.comprehensiveFiled}/${totals.count} ` +
      `经营所得预缴申报情况: ${totals.businessFiled}/${totals.count}`,
  ].join("\n");
}
