import * as z from "zod";
import { FILING_STATUSES, type Unit } from "../../shared/api/grants.js";
import { calendarDateSchema } from "../../shared/dates.js";
import {
  documentNumberSchema,
  documentTypeSchema,
  personNameSchema,
  taxpayerIdSchema,
  withDocumentCheck,
} from "../../shared/identity/schemas.js";

/** A unit as the hall officer enters it (CLI flags or a CSV row). */
export const unitInputSchema = z.object({
  tin: taxpayerIdSchema,
  name: z.string().trim().min(1, "请输入纳税人名称").max(100, "纳税人名称不能超过100个字符"),
  departments: z.array(z.string().trim().min(1).max(50)).max(200),
  departmentFiling: z.enum(FILING_STATUSES.departmentFiling, { message: "分部门申报应为 未备案 或 已启用" }),
  comprehensiveIncome: z.enum(FILING_STATUSES.comprehensiveIncome, { message: "综合所得申报应为 待申报 或 已申报" }),
  businessIncome: z.enum(FILING_STATUSES.businessIncome, { message: "经营所得应为空、待申报 或 已申报" }),
}) satisfies z.ZodType<Unit>;

export const officerInputSchema = withDocumentCheck(
  z.object({
    unitTin: taxpayerIdSchema,
    role: z.enum(["法定代表人", "财务负责人"], { message: "职务应为 法定代表人 或 财务负责人" }),
    docType: documentTypeSchema,
    docNumber: documentNumberSchema,
    name: personNameSchema,
    startDate: calendarDateSchema,
    endDate: calendarDateSchema.nullable(),
  }),
);

/** The CSV columns of `taxauth hall unit import`, as in the seed's 单位管理 table (each one required). */
export const UNIT_CSV_COLUMNS = [
  "纳税人识别号",
  "纳税人名称",
  "部门",
  "分部门申报",
  "综合所得申报",
  "经营所得",
] as const;

/**
 * The optional 本市单位 column: 是 lets the unit be entered with a CA certificate, 否 stops it;
 * empty (or no such column, as in files made before it) leaves the unit as it was.
 */
export const UNIT_CSV_LOCAL_COLUMN = "本市单位";
export const localCellSchema = z
  .enum(["是", "否", ""], { message: "本市单位应为 是、否 或空" })
  .transform((cell) => (cell === "" ? undefined : cell === "是"));

/** Departments are written 部门一|部门二 in one cell. */
export const splitDepartments = (cell: string) =>
  cell
    .split("|")
    .map((d) => d.trim())
    .filter((d) => d !== "");
