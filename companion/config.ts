import envPaths from "env-paths";
import type { DestinationStream } from "pino";
import { CHROME_EXTENSION_ID_PATTERN, DEFAULT_COMPANION_PORT, EXTENSION_ID } from "../shared/extension-identity.js";
import { QR_LOGIN_TTL_SECONDS } from "../shared/qr-login/contract.js";
import type { CaptchaSource } from "./captcha/captcha-source.js";
import { type Clock, systemClock } from "./clock.js";
import type { SmsGateway } from "./sms/gateway.js";

export interface CompanionConfig {
  /** Where the SQLite file (and the SMS outbox) live. */
  dataDir: string;
  /** A shared PostgreSQL instead of the SQLite file (TAXAUTH_DATABASE_URL, postgres://…). */
  databaseUrl?: string;
  /** Port the server listens on (0 picks a free one); the Host guard uses the real one. */
  port: number;
  /**
   * The Chrome/Edge extension origins accepted: the pinned development ID's, and the store IDs of
   * TAXAUTH_EXTENSION_IDS. (Firefox's origins are trusted by pairing the browser, in the database.)
   */
  extensionOrigins: string[];
  /** OS keychain service name; tests use their own. */
  keychainService: string;
  clock: Clock;
  logLevel: string;
  /** Where pino writes; defaults to companion.log in dataDir. */
  logStream?: DestinationStream;
  /** Image captcha source. Only code (tests) can pass another one; nothing on the network can. */
  captcha?: CaptchaSource;
  /** How fast captchas may be issued; tests that race hundreds of tries raise it. */
  captchaIssueRate?: { burst: number; perSecond: number };
  /** How fast 活体检测 challenges may be issued; tests that race hundreds of tries raise it. */
  faceChallengeIssueRate?: { burst: number; perSecond: number };
  /** How long a 扫码登录 QR code lives (TAXAUTH_QR_TTL_SECONDS, default 120). */
  qrLoginTtlSeconds: number;
  /** Where the 个人所得税 app is downloaded (手机端下载, 忘记申报密码): TAXAUTH_APP_DOWNLOAD_URL. */
  appDownloadUrl: string;
  /** A real 公安人像库 (TAXAUTH_PORTRAIT_URL, TAXAUTH_PORTRAIT_TOKEN); without it, the local one. */
  portraitUrl?: string;
  portraitToken?: string;
  /** SMS gateway; defaults to TAXAUTH_SMS_WEBHOOK when set, else the outbox (the data dir's file; an office's database). */
  sms?: SmsGateway;
  /** Whether texts put in the outbox are also printed on the companion's terminal (default yes). */
  smsOutboxEcho?: boolean;
  /**
   * A sandbox for desktop vendors' tests (`taxauth sandbox`), with its own short timers: it says so
   * in /healthz and in every captcha.
   */
  sandbox?: { desktopIdleMs: number; pairingTtlMs: number };
}

export const DEFAULT_APP_DOWNLOAD_URL = "https://www.chinatax.gov.cn/";
/** The OS keychain service of a real companion's secrets. */
export const REAL_KEYCHAIN_SERVICE = "taxauth";

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): CompanionConfig {
  const port = env.TAXAUTH_PORT ? Number(env.TAXAUTH_PORT) : DEFAULT_COMPANION_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`TAXAUTH_PORT 无效: ${env.TAXAUTH_PORT}`);
  }
  const qrLoginTtlSeconds = env.TAXAUTH_QR_TTL_SECONDS ? Number(env.TAXAUTH_QR_TTL_SECONDS) : QR_LOGIN_TTL_SECONDS;
  if (!Number.isInteger(qrLoginTtlSeconds) || qrLoginTtlSeconds < 10 || qrLoginTtlSeconds > 600) {
    throw new Error(`TAXAUTH_QR_TTL_SECONDS 无效（10–600 秒）: ${env.TAXAUTH_QR_TTL_SECONDS}`);
  }
  return {
    qrLoginTtlSeconds,
    appDownloadUrl: env.TAXAUTH_APP_DOWNLOAD_URL || DEFAULT_APP_DOWNLOAD_URL,
    portraitUrl: env.TAXAUTH_PORTRAIT_URL || undefined,
    portraitToken: env.TAXAUTH_PORTRAIT_TOKEN || undefined,
    dataDir: env.TAXAUTH_DATA_DIR || envPaths("taxauth", { suffix: "" }).data,
    databaseUrl: env.TAXAUTH_DATABASE_URL || undefined,
    port,
    extensionOrigins: extensionOriginsFrom(env.TAXAUTH_EXTENSION_IDS),
    keychainService: env.TAXAUTH_KEYCHAIN_SERVICE || REAL_KEYCHAIN_SERVICE,
    clock: systemClock,
    logLevel: env.TAXAUTH_LOG_LEVEL || "info",
  };
}

/** The development ID's origin, and one for each ID listed (comma-separated); a malformed ID stops the start. */
export function extensionOriginsFrom(list: string | undefined): string[] {
  const ids = (list ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
  const invalid = ids.filter((id) => !CHROME_EXTENSION_ID_PATTERN.test(id));
  if (invalid.length > 0) {
    throw new Error(`TAXAUTH_EXTENSION_IDS 无效（扩展 ID 为 32 个 a–p 小写字母，用逗号分隔）: ${invalid.join(", ")}`);
  }
  return [...new Set([EXTENSION_ID, ...ids])].map((id) => `chrome-extension://${id}`);
}
