import { createServer } from "node:net";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import type { CompanionConfig } from "../config.js";
import { openDatabase, openSql } from "../db/database.js";
import { KEYCHAIN_FIX_HINT, osKeychain, probeKeychain } from "../keychain/keychain.js";
import { officeService } from "../office/office.js";
import { officeStore } from "../office/office-store.js";

type Outcome = { ok: boolean; detail: string };

/** Checks each real part the companion needs and prints one line per part. True when all pass. */
export async function doctor(config: CompanionConfig): Promise<boolean> {
  const { databaseUrl } = config;
  const checks: Array<[string, () => Promise<Outcome>]> = [
    databaseUrl
      ? ["数据库 (PostgreSQL)", () => checkSharedDatabase(databaseUrl)]
      : ["数据库 (SQLite)", async () => checkDatabase(config.dataDir)],
    ["系统钥匙串 (OS keychain)", () => checkKeychain(config.keychainService)],
    ...(databaseUrl ? [["办公室", () => checkOffice(config)] as [string, () => Promise<Outcome>]] : []),
    [`端口 127.0.0.1:${config.port}`, () => checkPort(config.port)],
  ];
  let allOk = true;
  for (const [name, run] of checks) {
    const outcome = await run().catch((error: unknown) => ({ ok: false, detail: String(error) }));
    allOk &&= outcome.ok;
    process.stdout.write(`${outcome.ok ? "✔" : "✘"} ${name}: ${outcome.detail}\n`);
  }
  return allOk;
}

async function checkDatabase(dataDir: string): Promise<Outcome> {
  const sql = openDatabase(dataDir);
  try {
    const integrity = await sql.value<string>("PRAGMA quick_check");
    const version = await sql.value<number>("SELECT MAX(version) FROM schema_migrations");
    return integrity === "ok"
      ? { ok: true, detail: `${dataDir}，迁移版本 ${version}` }
      : { ok: false, detail: `完整性检查失败: ${String(integrity)}` };
  } finally {
    await sql.close();
  }
}

/** The office's database, named without its password. */
async function checkSharedDatabase(databaseUrl: string): Promise<Outcome> {
  const url = new URL(databaseUrl);
  const where = `${url.hostname}${url.port ? `:${url.port}` : ""}${url.pathname}`;
  const sql = await openSql({ dataDir: "", databaseUrl });
  try {
    const server = await sql.value<string>("SHOW server_version");
    const version = await sql.value<number>("SELECT MAX(version) FROM schema_migrations");
    return { ok: true, detail: `${where}，PostgreSQL ${server}，迁移版本 ${version}` };
  } finally {
    await sql.close();
  }
}

/** Whether this machine's keychain holds the key of the office the database belongs to. */
async function checkOffice(config: CompanionConfig): Promise<Outcome> {
  const sql = await openSql(config);
  try {
    const office = officeService({
      store: officeStore(sql),
      keychain: osKeychain(config.keychainService),
      clock: config.clock,
    });
    const { officeId, machineId } = await office.membership();
    const self = (await office.members()).find((member) => member.machineId === machineId);
    return { ok: true, detail: `本机「${self?.name ?? machineId}」是办公室 ${officeId} 的成员` };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    await sql.close();
  }
}

async function checkKeychain(service: string): Promise<Outcome> {
  try {
    await probeKeychain(osKeychain(service));
    return { ok: true, detail: `可读写 (service "${service}")` };
  } catch (error) {
    return { ok: false, detail: `${error instanceof Error ? error.message : String(error)}\n${KEYCHAIN_FIX_HINT}` };
  }
}

/** Free, or taken by a running taxauth companion (healthy or not): both are fine states. */
async function checkPort(port: number): Promise<Outcome> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer()
      .once("error", () => resolve(false))
      .listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
  if (free) return { ok: true, detail: "空闲，可以启动本地服务" };
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
      headers: { origin: EXTENSION_ORIGIN },
      signal: AbortSignal.timeout(3000),
    });
    const body = (await response.json()) as { status?: string };
    return { ok: response.ok, detail: `taxauth 本地服务正在运行 (healthz: ${body.status ?? response.status})` };
  } catch {
    return { ok: false, detail: "已被其他程序占用；请换一个 TAXAUTH_PORT" };
  }
}
