import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import * as z from "zod";
import { historyFilterFields, withDateRangeCheck } from "../../shared/api/grants.js";
import { taxpayerIdSchema } from "../../shared/identity/schemas.js";
import { historyCsv } from "../audit/history-export.js";
import { parseInput } from "../errors.js";
import { withCore } from "./with-core.js";

const exportInputSchema = withDateRangeCheck(
  z.object({ unit: taxpayerIdSchema, out: z.string().min(1).optional(), ...historyFilterFields }),
);

/** `taxauth audit`: the history's chain check, and its export. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command("audit").description("变更记录（授权历史）");

  audit
    .command("verify")
    .description("校验变更记录的哈希链：任何被改动或删除的记录都会被发现")
    .action(async () => {
      const result = await withCore((core) => core.audit.verify());
      if (result.ok) {
        process.stdout.write(`✔ 变更记录完整：共 ${result.rows} 条\n`);
      } else {
        process.stdout.write(`✘ 变更记录被篡改：${result.problem}\n`);
        process.exitCode = 1;
      }
    });

  audit
    .command("export")
    .description("导出单位的变更记录为 CSV（UTF-8 带 BOM，最新的在前），可按日期、操作人、被授权人和操作类型筛选")
    .requiredOption("--unit <纳税人识别号>", "单位")
    .option("--from <YYYY-MM-DD>", "开始日期（北京时间，含当日）")
    .option("--to <YYYY-MM-DD>", "结束日期（北京时间，含当日）")
    .option("--actor <姓名>", "操作人")
    .option("--grantee <姓名>", "被授权人")
    .option("--action <操作类型>", "新增授权、变更、解除授权、本人解除、本人删除或复核保留")
    .option("--out <文件>", "写入的文件（默认输出到标准输出）")
    .action(async (options: Record<string, string | undefined>) => {
      const { unit: tin, out, ...filter } = parseInput(exportInputSchema, options);
      const fileName = await withCore(async (core) => {
        const unit = await core.units.requireUnit(tin);
        const exported = historyCsv(core.audit.unitHistory(tin, filter), unit, filter, core.clock.now());
        await pipeline(exported.csv, out ? createWriteStream(out, { mode: 0o600 }) : process.stdout, { end: !!out });
        return out;
      });
      if (fileName) process.stderr.write(`✔ 已导出到 ${fileName}\n`);
    });
}
