import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configFromEnv } from "../config.js";
import { openCore } from "../core.js";
import { startServer } from "../server.js";
import { outboxGateway } from "../sms/gateway.js";
import { hallEnvironment } from "./hall-environment.js";
import { DEMO_PASSWORD, seedDemo } from "./seed.js";

/** The demo's keychain service unless TAXAUTH_KEYCHAIN_SERVICE names another. */
const DEMO_KEYCHAIN_SERVICE = "taxauth-demo";

/**
 * The data dir of demo data (the demo's, a sandbox's): $TAXAUTH_DATA_DIR when set (it must be
 * empty, and is kept), else a throwaway one named after `purpose`, removed when the process stops.
 */
export function demoDataDir(
  chosen: string | undefined,
  purpose: "demo" | "sandbox" = "demo",
): { dataDir: string; kept: boolean } {
  if (!chosen) {
    const dataDir = mkdtempSync(join(tmpdir(), `taxauth-${purpose}-`));
    process.once("exit", () => rmSync(dataDir, { recursive: true, force: true }));
    return { dataDir, kept: false };
  }
  mkdirSync(chosen, { recursive: true, mode: 0o700 });
  // Demo data must never mix with real data (or with an earlier demo's).
  if (readdirSync(chosen).length > 0) {
    const what = purpose === "demo" ? "演示" : "沙箱";
    throw new Error(
      `${what}需要一个空的数据目录，而 TAXAUTH_DATA_DIR（${chosen}）中已有文件：请换一个目录，或不设置它`,
    );
  }
  return { dataDir: chosen, kept: true };
}

/**
 * `npm run demo`: the companion on its own data dir loaded with the seed's example units,
 * officers and clerks, always on SQLite. It prints the environment under which the hall CLI works
 * on the same data beside it.
 */
export async function runDemo(): Promise<void> {
  const { dataDir, kept } = demoDataDir(process.env.TAXAUTH_DATA_DIR);
  const config = {
    ...configFromEnv(),
    dataDir,
    databaseUrl: undefined,
    keychainService: process.env.TAXAUTH_KEYCHAIN_SERVICE || DEMO_KEYCHAIN_SERVICE,
  };

  // Seeding sends registration SMS: keep them in the outbox without printing them.
  const seeding = await openCore({
    ...config,
    sms: outboxGateway(dataDir, { now: config.clock.now, print: () => {} }),
  });
  const accounts = await seedDemo(seeding).finally(() => seeding.close());

  process.stdout.write(
    `taxauth 演示数据已载入（${kept ? "停止后保留" : "停止后删除"}）。演示账号（密码均为 ${DEMO_PASSWORD}）：\n`,
  );
  for (const account of accounts) {
    process.stdout.write(
      `  ${account.role.padEnd(14, "　")} ${account.name}  登录名 ${account.loginName}  手机 ${account.phone}\n`,
    );
  }
  await startServer(config);
  process.stdout.write(
    [
      "",
      "在另一个终端中使用办税服务厅工具（taxauth hall …）操作演示数据前，先在那个终端中运行：",
      ...hallEnvironment(config).map((line) => `  ${line}`),
      "例如：npx taxauth hall code issue --doc-type 居民身份证 --doc-number <证件号码> --name <姓名>",
      "按 Ctrl-C 停止演示。",
      "",
    ].join("\n"),
  );
}
