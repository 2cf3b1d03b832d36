import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { type CompanionConfig, configFromEnv } from "../config.js";
import { openCore } from "../core.js";
import { openSql } from "../db/database.js";
import { osKeychain } from "../keychain/keychain.js";
import { forgetOfficeKey, officeService } from "../office/office.js";
import { officeStore } from "../office/office-store.js";
import { startServer } from "../server.js";
import { outboxGateway } from "../sms/gateway.js";
import { hallEnvironment } from "./hall-environment.js";
import { startPostgresCluster } from "./postgres-cluster.js";
import { DEMO_PASSWORD, seedDemo } from "./seed.js";

/**
 * `npm run demo:office`: a throwaway PostgreSQL cluster and two companions in one office, as two
 * desktops of one office would run them (each its own data dir, keychain service and port), with
 * the demo data. Everything is removed when the demo stops.
 */
export async function runOfficeDemo(): Promise<void> {
  process.stdout.write("正在启动临时 PostgreSQL（Debian 的 postgresql 软件包）…\n");
  const cluster = await startPostgresCluster();
  const dataDirs = ["a", "b"].map((machine) => mkdtempSync(join(tmpdir(), `taxauth-office-demo-${machine}-`)));
  process.once("exit", () => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query("CREATE DATABASE taxauth_office_demo");
  await admin.end();
  const databaseUrl = new URL(cluster.url);
  databaseUrl.pathname = "/taxauth_office_demo";

  const base = configFromEnv();
  const machines: CompanionConfig[] = dataDirs.map((dataDir, index) => ({
    ...base,
    dataDir,
    databaseUrl: databaseUrl.toString(),
    port: base.port + index,
    keychainService: `taxauth-office-demo-${index === 0 ? "a" : "b"}`,
  }));
  const [first, second] = machines as [CompanionConfig, CompanionConfig];

  // The first desktop sets the office up and invites the second, exactly as
  // `taxauth office init`, `office invite` and `office join --code …` do.
  const sql = await openSql(first);
  const office = (config: CompanionConfig) =>
    officeService({ store: officeStore(sql), keychain: osKeychain(config.keychainService), clock: config.clock });
  const { officeId } = await office(first).init("演示电脑A");
  const { code } = await office(first).invite();
  await office(second).join(code, "演示电脑B");
  await sql.close();

  const seeding = await openCore({
    ...first,
    sms: outboxGateway(first.dataDir, { now: first.clock.now, print: () => {} }),
  });
  const accounts = await seedDemo(seeding).finally(() => seeding.close());

  const apps: FastifyInstance[] = [];
  for (const config of machines) apps.push(await startServer(config));
  // One stop for all: both companions, the demo's keys in the keychain, then the database.
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  // Ctrl-C reaches the launcher and this process alike: the second signal must not cut the stop short.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void Promise.allSettled(apps.map((app) => app.close()))
      .then(() => Promise.all(machines.map((m) => forgetOfficeKey(osKeychain(m.keychainService), officeId))))
      .then(() => cluster.stop())
      .finally(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  process.stdout.write(`\n办公室演示已启动（关闭后删除）。演示账号（密码均为 ${DEMO_PASSWORD}）：\n`);
  for (const account of accounts) {
    process.stdout.write(`  ${account.role.padEnd(14, "　")} ${account.name}  登录名 ${account.loginName}\n`);
  }
  process.stdout.write(
    [
      "",
      `共享数据库：${databaseUrl.toString()}`,
      `电脑A 的本地服务：http://127.0.0.1:${first.port}`,
      `电脑B 的本地服务：http://127.0.0.1:${second.port}`,
      "",
      "用两个浏览器配置文件试试（例如 chromium --user-data-dir=/tmp/profile-b）：",
      "  各自加载 .output/chrome-mv3 中的扩展；在 B 的扩展选项页把本地服务地址改为电脑B 的地址。",
      "  在 A 中以法定代表人登录并授权，B 中办税人员的「我的办税权限」随即更新。",
      "",
      "在另一个终端中以电脑A 的身份使用办税服务厅工具（taxauth hall …）前，先在那个终端中运行：",
      ...hallEnvironment(first).map((line) => `  ${line}`),
      "按 Ctrl-C 停止两台本地服务和数据库。",
      "",
    ].join("\n"),
  );
}
