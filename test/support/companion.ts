import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../companion/app.js";
import { fixedCaptchaSource } from "../../companion/captcha/captcha-source.js";
import type { Clock } from "../../companion/clock.js";
import { type CompanionConfig, DEFAULT_APP_DOWNLOAD_URL, extensionOriginsFrom } from "../../companion/config.js";
import { openSql } from "../../companion/db/database.js";
import { osKeychain } from "../../companion/keychain/keychain.js";
import { officeService } from "../../companion/office/office.js";
import { officeStore } from "../../companion/office/office-store.js";
import { type OutboxEntry, readOutbox, type SmsGateway } from "../../companion/sms/gateway.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { QR_LOGIN_TTL_SECONDS } from "../../shared/qr-login/contract.js";
import { freshPostgresDatabase } from "./postgres.js";

export const KNOWN_CAPTCHA_ANSWER = "k7m3";
/** The keychain service all tests share; the keyring itself is a throwaway one (with-keyring.sh --isolated). */
export const TEST_KEYCHAIN_SERVICE = "taxauth-test";
const repoRoot = join(import.meta.dirname, "..", "..");

// Kept apart so that unit tests take the clock without the companion.
export { manualClock } from "./clock.js";

export interface RunningCompanion {
  app: FastifyInstance;
  url: string;
  port: number;
  dataDir: string;
  /** The PostgreSQL database it runs on, when not the SQLite file in its data dir. */
  databaseUrl: string | undefined;
  /** Every log line the companion wrote. */
  logs: string[];
  /**
   * Stops and starts the companion again on the same data dir and port (lock state must survive);
   * `whileStopped` runs in between (what the extension shows while it is away).
   */
  restart(whileStopped?: () => Promise<void>): Promise<RunningCompanion>;
  close(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  port?: number;
  clock?: Clock;
  captcha?: "known" | "random";
  /** The companion's own captcha rate limit; by default tests may issue as many as they like. */
  captchaIssueRate?: "companion";
  /** The companion's own 活体检测 challenge rate limit; by default tests may issue as many as they like. */
  faceChallengeIssueRate?: "companion";
  sms?: SmsGateway;
  logs?: string[];
  qrLoginTtlSeconds?: number;
  /** A 公安人像库 over HTTP instead of the local one. */
  portrait?: { url: string; token?: string };
  /** This PostgreSQL database rather than the store the test run is on. */
  databaseUrl?: string;
  /** Store extension IDs accepted besides the pinned development one (TAXAUTH_EXTENSION_IDS). */
  extensionIds?: string[];
  /** The log goes to companion.log in the data dir, as when the companion runs for real (`logs` stays empty). */
  logToFile?: boolean;
}

/**
 * The store a test run puts companions on: the SQLite file in their data dir, or with
 * TAXAUTH_TEST_STORE=postgres a fresh database each in the run's private PostgreSQL cluster.
 */
const testDatabaseUrl = async (given: string | undefined): Promise<string | undefined> =>
  given ?? (process.env.TAXAUTH_TEST_STORE === "postgres" ? freshOfficeDatabase() : undefined);

/**
 * A fresh database in the run's PostgreSQL cluster with an office set up from this process's
 * keychain (as `taxauth office init` does), so companions and CLI runs here are its members.
 */
export async function freshOfficeDatabase(clusterUrl?: string): Promise<string> {
  const url = await freshPostgresDatabase(clusterUrl);
  const sql = await openSql({ dataDir: "", databaseUrl: url });
  try {
    const keychain = osKeychain(TEST_KEYCHAIN_SERVICE);
    await officeService({ store: officeStore(sql), keychain, clock: { now: () => Date.now() } }).init("测试电脑");
  } finally {
    await sql.close();
  }
  return url;
}

/** The real companion (real SQLite file or PostgreSQL, real OS keychain) on a free loopback port. */
export async function startCompanion(options: StartOptions = {}): Promise<RunningCompanion> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "taxauth-test-"));
  const logs = options.logs ?? [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config: CompanionConfig = {
    dataDir,
    port: options.port ?? 0,
    extensionOrigins: extensionOriginsFrom(options.extensionIds?.join(",")),
    keychainService: TEST_KEYCHAIN_SERVICE,
    clock: options.clock ?? { now: () => Date.now() },
    logLevel: "info",
    logStream: options.logToFile ? undefined : logStream,
    qrLoginTtlSeconds: options.qrLoginTtlSeconds ?? QR_LOGIN_TTL_SECONDS,
    appDownloadUrl: DEFAULT_APP_DOWNLOAD_URL,
    portraitUrl: options.portrait?.url,
    portraitToken: options.portrait?.token,
    captcha: options.captcha === "random" ? undefined : fixedCaptchaSource(KNOWN_CAPTCHA_ANSWER),
    // Races and long files issue captchas far faster than a person does.
    captchaIssueRate: options.captchaIssueRate === "companion" ? undefined : { burst: 10_000, perSecond: 10_000 },
    faceChallengeIssueRate:
      options.faceChallengeIssueRate === "companion" ? undefined : { burst: 10_000, perSecond: 10_000 },
    // The outbox (the data dir's file, or an office's database), quietly: tests read it with lastSmsCode().
    sms: options.sms,
    smsOutboxEcho: false,
  };
  const app = await buildApp({ ...config, databaseUrl: await testDatabaseUrl(options.databaseUrl) });
  outboxes.set(dataDir, app.core.smsOutbox.read);
  await app.listen({ host: "127.0.0.1", port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const running: RunningCompanion = {
    app,
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    logs,
    databaseUrl: app.core.config.databaseUrl,
    async restart(whileStopped) {
      await app.close();
      await whileStopped?.();
      return startCompanion({ ...options, dataDir, port, logs, databaseUrl: app.core.config.databaseUrl });
    },
    async close() {
      await app.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return running;
}

/** Where a companion keeps its data: its data dir, and its PostgreSQL database if it runs on one. */
export const storeOf = (companion: Pick<RunningCompanion, "dataDir" | "databaseUrl">) => ({
  dataDir: companion.dataDir,
  databaseUrl: companion.databaseUrl,
});

/** Runs the built `taxauth` CLI against a data dir (needs `npm run build:companion`). */
export async function runCli(
  args: string[],
  options: {
    dataDir: string;
    databaseUrl?: string | undefined;
    port?: number;
    /** Another keychain service, as another machine's keychain would be. */
    keychainService?: string;
  },
): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot, "bin", "taxauth.js"), ...args], {
    env: {
      ...process.env,
      TAXAUTH_DATA_DIR: options.dataDir,
      ...(options.databaseUrl === undefined ? {} : { TAXAUTH_DATABASE_URL: options.databaseUrl }),
      TAXAUTH_KEYCHAIN_SERVICE: options.keychainService ?? TEST_KEYCHAIN_SERVICE,
      ...(options.port === undefined ? {} : { TAXAUTH_PORT: String(options.port) }),
    },
  });
  return stdout;
}

/** fetch as the extension does: our Origin, JSON in and out. */
export async function api(
  companion: { url: string },
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${companion.url}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      origin: EXTENSION_ORIGIN,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** How to read the outbox of a companion started here, by its data dir. */
const outboxes = new Map<string, () => Promise<OutboxEntry[]>>();

/**
 * The companion on `dataDir` (another process of the office) puts its texts where the one on
 * `memberDataDir` reads them: the office's outbox in the shared database.
 */
export function sharesOfficeOutbox(dataDir: string, memberDataDir: string): void {
  const read = outboxes.get(memberDataDir);
  if (!read) throw new Error("no companion started here on that data dir");
  outboxes.set(dataDir, read);
}

/**
 * Every text sent to a phone by the companion on `dataDir`, oldest first, read from its outbox as a
 * person would read their phone (in an office, the shared outbox every member reads).
 */
export async function textsTo(dataDir: string, phone: string): Promise<string[]> {
  const entries = (await outboxes.get(dataDir)?.()) ?? readOutbox(dataDir);
  return entries.filter((e) => e.phone === phone).map((e) => e.text);
}

/** The last SMS code sent to a phone by the companion on `dataDir`. */
export async function lastSmsCode(dataDir: string, phone: string): Promise<string> {
  const code = (await textsTo(dataDir, phone)).at(-1)?.match(/验证码 (\d{6})/)?.[1];
  if (!code) throw new Error(`no SMS for ${phone}`);
  return code;
}
