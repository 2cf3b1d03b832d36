import { Command } from "commander";
import { configFromEnv } from "../config.js";
import { startServer } from "../server.js";
import { doctor } from "./doctor.js";
import { registerHallCommands } from "./hall.js";

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
    .command("doctor")
    .description("检查数据库、系统钥匙串和端口")
    .action(async () => {
      process.exitCode = (await doctor(configFromEnv())) ? 0 : 1;
    });

  registerHallCommands(program);
  return program;
}
