import { configFromEnv } from "../config.js";
import { AppError } from "../errors.js";
import { KeychainUnavailableError } from "../keychain/keychain.js";
import { startServer } from "../server.js";

/** Entry point of the `taxauth` command (through bin/taxauth.js). */
async function main(args: string[]): Promise<void> {
  // The long-running service skips loading the command parser: the companion must be ready within
  // 1.3× a bare Fastify process and 500 ms.
  if (args.length === 1 && args[0] === "start") {
    await startServer(configFromEnv());
    return;
  }
  const { taxauthProgram } = await import("./commands.js");
  await taxauthProgram().parseAsync(args, { from: "user" });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof KeychainUnavailableError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(3);
  }
  process.stderr.write(`错误: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof AppError) {
    for (const [field, message] of Object.entries(error.extra.fields ?? {})) {
      process.stderr.write(`  ${field}: ${message}\n`);
    }
  }
  process.exit(1);
});
