import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { FILING_STATUSES } from "../../shared/api/grants.js";
import { shanghaiDate } from "../../shared/dates.js";
import { DOCUMENT_TYPES, maskDocumentNumber } from "../../shared/identity/documents.js";
import { parseInput } from "../errors.js";
import { grantStatus } from "../grants/status.js";
import { importUnits } from "../units/import.js";
import {
  officerInputSchema,
  splitDepartments,
  UNIT_CSV_COLUMNS,
  UNIT_CSV_LOCAL_COLUMN,
  unitInputSchema,
} from "../units/unit-input.js";
import { withCore } from "./with-core.js";

const LOCAL_FLAG = "--local";
const LOCAL_HELP = "本市单位：可用CA证书进行单位办税验证";
const NOT_LOCAL_FLAG = "--no-local";
const NOT_LOCAL_HELP = "不是本市单位：不能用CA证书校验";

/** Whether the unit is 本市单位, and what that allows: what unit entry by CA checks. */
const localText = (local: boolean) => (local ? "是（可用CA证书进行单位办税验证）" : "否（不能用CA证书校验）");

/** `taxauth hall unit …` and `taxauth hall officer …`: units and their officers from tax registration. */
export function registerUnitCommands(hall: Command): void {
  const unit = hall.command("unit").description("扣缴单位（税务登记信息）");

  unit
    .command("add")
    .description("登记或更新一个扣缴单位")
    .requiredOption("--tin <纳税人识别号>", "18位统一社会信用代码（或15/20位旧号码）")
    .requiredOption("--name <纳税人名称>", "纳税人名称")
    .option("--departments <部门>", "部门，多个用 | 分隔", "")
    .option("--department-filing <状态>", `分部门申报: ${FILING_STATUSES.departmentFiling.join(" | ")}`, "未备案")
    .option(
      "--comprehensive-income <状态>",
      `综合所得申报: ${FILING_STATUSES.comprehensiveIncome.join(" | ")}`,
      "待申报",
    )
    .option("--business-income <状态>", "经营所得: 空 | 待申报 | 已申报", "")
    .option(LOCAL_FLAG, LOCAL_HELP)
    .option(NOT_LOCAL_FLAG, `${NOT_LOCAL_HELP}（两者都不给：新单位不是，已登记的不变）`)
    .action(async ({ local, ...options }: { local?: boolean; departments?: string } & Record<string, unknown>) => {
      const input = parseInput(unitInputSchema, {
        ...options,
        departments: splitDepartments(options.departments ?? ""),
      });
      await withCore((core) =>
        core.units.transaction(async () => {
          await core.units.saveUnit(input);
          if (local !== undefined) await core.units.setLocal(input.tin, local);
        }),
      );
      process.stdout.write(`已登记: ${input.tin} ${input.name}${local ? "（本市单位）" : ""}\n`);
    });

  unit
    .command("set <tin>")
    .description("更改已登记单位的本市单位标记（CA证书校验是否可用）")
    .option(LOCAL_FLAG, LOCAL_HELP)
    .option(NOT_LOCAL_FLAG, NOT_LOCAL_HELP)
    .action(async (tinArg: string, { local }: { local?: boolean }) => {
      if (local === undefined) throw new Error(`请给出 ${LOCAL_FLAG} 或 ${NOT_LOCAL_FLAG}`);
      const tin = parseInput(unitInputSchema.shape.tin, tinArg);
      await withCore(async (core) => {
        await core.units.requireUnit(tin);
        await core.units.setLocal(tin, local);
      });
      process.stdout.write(`已更改: ${tin} 本市单位: ${localText(local)}\n`);
    });

  unit
    .command("import <file>")
    .description(
      `从 CSV 导入扣缴单位（列: ${UNIT_CSV_COLUMNS.join(",")}，可选列 ${UNIT_CSV_LOCAL_COLUMN}: 是 | 否 | 空=不变；部门用 | 分隔）。有错误时一条也不导入`,
    )
    .action(async (file: string) => {
      const report = await withCore((core) => importUnits(core.units, readFileSync(file, "utf8")));
      if (report.errors.length > 0) {
        process.stderr.write(`导入失败，未写入任何单位。请修改以下 ${report.errors.length} 处后重新导入：\n`);
        for (const { line, message } of report.errors) process.stderr.write(`  第 ${line} 行: ${message}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`已导入 ${report.imported} 个单位\n`);
    });

  unit
    .command("show <tin>")
    .description("查看单位、其法定代表人和财务负责人、授权")
    .action(async (tin: string) => {
      await withCore(async (core) => {
        const found = await core.units.requireUnit(parseInput(unitInputSchema.shape.tin, tin));
        const officers = await core.units.officers(found.tin);
        const local = await core.units.isLocal(found.tin);
        const grants = await core.grants.store.ofUnit(found.tin);
        const grantees = new Map(
          await Promise.all(grants.map(async (g) => [g.granteeId, await core.people.byId(g.granteeId)] as const)),
        );
        const today = shanghaiDate(core.clock.now());
        const out = [
          `纳税人识别号: ${found.tin}`,
          `纳税人名称:   ${found.name}`,
          `部门:         ${found.departments.join("、") || "—"}`,
          `分部门申报: ${found.departmentFiling}  综合所得申报: ${found.comprehensiveIncome}  经营所得: ${found.businessIncome || "—"}`,
          `本市单位:     ${localText(local)}`,
          "任职受雇:",
          ...officers.map(
            (o) =>
              `  ${o.role} ${o.name} ${o.docType} ${maskDocumentNumber(o.docNumber)} ${o.startDate} 至 ${o.endDate ?? "今"}`,
          ),
          "授权:",
          ...grants.map((g) => {
            const grantee = grantees.get(g.granteeId);
            return `  ${grantee?.name ?? "?"} ${g.permission} ${g.termType} ${g.startDate} 至 ${g.endDate ?? "长期"} ${grantStatus(g, today)}`;
          }),
        ];
        process.stdout.write(`${out.join("\n")}\n`);
      });
    });

  const ca = hall.command("ca").description("本市单位的CA证书校验");
  ca.command("trust <root.pem>")
    .description("信任一个根证书（PEM）：由它签发的单位证书可用于单位办税验证")
    .action(async (file: string) => {
      const root = await withCore((core) => core.ca.trust(readFileSync(file, "utf8")));
      process.stdout.write(`已信任: ${root.subject.replaceAll("\n", ", ")}\nSHA-256 指纹: ${root.fingerprint}\n`);
    });
  ca.command("list")
    .description("列出受信任的根证书")
    .action(async () => {
      const roots = await withCore((core) => core.ca.roots());
      if (roots.length === 0) process.stdout.write("尚未信任任何根证书\n");
      for (const root of roots) process.stdout.write(`${root.fingerprint}\t${root.subject.replaceAll("\n", ", ")}\n`);
    });

  hall
    .command("officer")
    .description("税务登记的法定代表人、财务负责人")
    .command("set")
    .description("记录法定代表人（新的一位接替旧的）或财务负责人及其任职期间")
    .requiredOption("--unit <纳税人识别号>", "单位")
    .requiredOption("--role <职务>", "法定代表人 | 财务负责人")
    .requiredOption("--doc-type <type>", `证件类型: ${DOCUMENT_TYPES.join(" | ")}`)
    .requiredOption("--doc-number <number>", "证件号码")
    .requiredOption("--name <name>", "姓名")
    .option("--from <YYYY-MM-DD>", "任职起（默认今天）")
    .option("--to <YYYY-MM-DD>", "任职止（默认至今）")
    .action(async (options: Record<string, string | undefined>) => {
      await withCore(async (core) => {
        const officer = parseInput(officerInputSchema, {
          unitTin: options.unit,
          role: options.role,
          docType: options.docType,
          docNumber: options.docNumber,
          name: options.name,
          startDate: options.from ?? shanghaiDate(core.clock.now()),
          endDate: options.to ?? null,
        });
        await core.units.requireUnit(officer.unitTin);
        await core.units.setOfficer(officer);
        process.stdout.write(`已记录: ${officer.unitTin} ${officer.role} ${officer.name} 自 ${officer.startDate}\n`);
      });
    });
}
