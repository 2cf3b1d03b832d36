import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configFromEnv } from "../config.js";
import { openCore } from "../core.js";
import { startServer } from "../server.js";
import { outboxGateway } from "../sms/gateway.js";
import { DEMO_PASSWORD, seedDemo } from "./seed.js";

/**
 * `npm run demo`: the companion on a throwaway data dir loaded with the seed's example units,
 * officers and clerks. The data dir is removed when the demo stops.
 */
export async function runDemo(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "taxauth-demo-"));
  const config = { ...configFromEnv(), dataDir, keychainService: "taxauth-demo" };
  process.once("exit", () => rmSync(dataDir, { recursive: true, force: true }));

  // Seeding sends registration SMS: keep them in the outbox without printing them.
  const seeding = await openCore({
    ...config,
    sms: outboxGateway(dataDir, { now: config.clock.now, print: () => {} }),
  });
  const accounts = await seedDemo(seeding).finally(() => seeding.close());

  process.stdout.write(`taxauth 演示数据已载入（关闭后删除）。演示账号（密码均为 ${DEMO_PASSWORD}）：\n`);
  for (const account of accounts) {
    process.stdout.write(
      `  ${account.role.padEnd(14, "　")} ${account.name}  登录名 ${account.loginName}  手机 ${account.phone}\n`,
    );
  }
  await startServer(config);
}
