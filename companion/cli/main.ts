import { Command } from "commander";
import { configFromEnv } from "../config.js";
import { AppError } from "../errors.js";
import { KeychainUnavailableError } from "../keychain/keychain.js";
import { startServer } from "../server.js";
import { doctor } from "./doctor.js";
import { registerHallCommands } from "./hall.js";

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

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof KeychainUnavailableError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(3);
  }
  process.stderr.write(`错误: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof AppError) {
    for (const [field, message] of Object.entries(error.extra.fields ?? {}))
      process.stderr.write(`  ${field}: ${message}\n`);
  }
  process.exit(1);
});
