import { Command } from "commander";
import * as z from "zod";
import { calendarDateSchema } from "../../shared/dates.js";
import { taxpayerIdSchema } from "../../shared/identity/schemas.js";
import { configFromEnv } from "../config.js";
import { parseInput } from "../errors.js";
import { accessReport } from "../grants/access-report.js";
import { startServer } from "../server.js";
import { registerAuditCommands } from "./audit-commands.js";
import { registerBrowserCommands } from "./browser-commands.js";
import { doctor } from "./doctor.js";
import { registerHallCommands } from "./hall.js";
import { registerOfficeCommands } from "./office-commands.js";
import { registerSandboxCommands } from "./sandbox-commands.js";
import { registerServiceCommands } from "./service-commands.js";
import { withCore } from "./with-core.js";

const accessReportInputSchema = z.object({ unit: taxpayerIdSchema, date: calendarDateSchema });

/** Every `taxauth` command, for commander to parse. */
export function taxauthProgram(): Command {
  const program = new Command("taxauth")
    .description("taxauth 本地服务与办税服务厅工具 (companion service and tax-hall tools)")
    .showHelpAfterError();

  program
    .command("start")
    .description("启动本地服务 (listen on 127.0.0.1:$TAXAUTH_PORT, data in $TAXAUTH_DATA_DIR)")
    .action(async () => {
      await startServer(configFromEnv());
    });

  program
    .command("demo")
    .description("演示：在临时数据目录中载入示例单位、法定代表人、财务负责人和办税人员后启动本地服务")
    .option("--office", "办公室模式：临时 PostgreSQL 上同一办公室的两台本地服务（端口 $TAXAUTH_PORT 和下一个）")
    .action(async (options: { office?: boolean }) => {
      if (options.office) {
        const { runOfficeDemo } = await import("../demo/office.js");
        await runOfficeDemo();
        return;
      }
      const { runDemo } = await import("../demo/run.js");
      await runDemo();
    });

  program
    .command("doctor")
    .description("检查数据库、系统钥匙串和端口")
    .action(async () => {
      process.exitCode = (await doctor(configFromEnv())) ? 0 : 1;
    });

  registerHallCommands(program);
  registerOfficeCommands(program);
  registerBrowserCommands(program);
  registerSandboxCommands(program);
  registerServiceCommands(program);

  registerAuditCommands(program);

  program
    .command("report")
    .description("报表")
    .command("access")
    .description("某日谁可以为该单位办税，通过哪项授权或职务")
    .requiredOption("--unit <纳税人识别号>", "单位")
    .requiredOption("--date <YYYY-MM-DD>", "日期（北京时间）")
    .action(async (options: { unit: string; date: string }) => {
      const input = parseInput(accessReportInputSchema, options);
      const lines = await withCore((core) =>
        accessReport({ ...core, grants: core.grants.store }, input.unit, input.date),
      );
      process.stdout.write(`${input.unit} 在 ${input.date} 可办税的人员：\n`);
      if (lines.length === 0) process.stdout.write("  （无）\n");
      for (const line of lines) {
        process.stdout.write(`  ${line.name}\t${line.docType} ${line.maskedDocNumber}\t${line.through}\n`);
      }
    });

  return program;
}
