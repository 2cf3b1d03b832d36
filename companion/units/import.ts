import type { Unit } from "../../shared/api/grants.js";
import { parseCsv } from "./csv.js";
import {
  localCellSchema,
  splitDepartments,
  UNIT_CSV_COLUMNS,
  UNIT_CSV_LOCAL_COLUMN,
  unitInputSchema,
} from "./unit-input.js";
import type { UnitsStore } from "./units.js";

export interface ImportReport {
  imported: number;
  /** Line number (1 = the header) and what is wrong there, in Chinese. */
  errors: Array<{ line: number; message: string }>;
}

const rowSchema = unitInputSchema.extend({ local: localCellSchema });

/**
 * Imports units from CSV, all or nothing: every row is checked first; if any row is wrong, nothing
 * is written and the report lists each wrong row.
 */
export async function importUnits(units: UnitsStore, csv: string): Promise<ImportReport> {
  let rows: string[][];
  try {
    rows = parseCsv(csv);
  } catch (error) {
    return { imported: 0, errors: [{ line: 0, message: (error as Error).message }] };
  }
  const [header, ...body] = rows;
  const missing = UNIT_CSV_COLUMNS.filter((column) => !header?.map((h) => h.trim()).includes(column));
  if (!header || missing.length > 0) {
    return { imported: 0, errors: [{ line: 1, message: `表头缺少列: ${missing.join("、")}` }] };
  }
  const columns = [...UNIT_CSV_COLUMNS, UNIT_CSV_LOCAL_COLUMN] as const;
  const index = Object.fromEntries(columns.map((c) => [c, header.map((h) => h.trim()).indexOf(c)]));
  const cell = (row: string[], column: (typeof columns)[number]) => row[index[column] as number] ?? "";

  const valid: Array<{ unit: Unit; local: boolean | undefined }> = [];
  const errors: ImportReport["errors"] = [];
  const seen = new Map<string, number>();
  body.forEach((row, i) => {
    const line = i + 2;
    const parsed = rowSchema.safeParse({
      tin: cell(row, "纳税人识别号"),
      name: cell(row, "纳税人名称"),
      departments: splitDepartments(cell(row, "部门")),
      departmentFiling: cell(row, "分部门申报").trim() || "未备案",
      comprehensiveIncome: cell(row, "综合所得申报").trim() || "待申报",
      businessIncome: cell(row, "经营所得").trim(),
      local: cell(row, UNIT_CSV_LOCAL_COLUMN).trim(),
    });
    if (!parsed.success) {
      errors.push({ line, message: parsed.error.issues.map((issue) => issue.message).join("；") });
      return;
    }
    const earlier = seen.get(parsed.data.tin);
    if (earlier) {
      errors.push({ line, message: `纳税人识别号与第 ${earlier} 行重复` });
      return;
    }
    seen.set(parsed.data.tin, line);
    const { local, ...unit } = parsed.data;
    valid.push({ unit, local });
  });
  if (errors.length > 0) return { imported: 0, errors };
  await units.transaction(async () => {
    for (const { unit, local } of valid) {
      await units.saveUnit(unit);
      if (local !== undefined) await units.setLocal(unit.tin, local);
    }
  });
  return { imported: valid.length, errors: [] };
}
