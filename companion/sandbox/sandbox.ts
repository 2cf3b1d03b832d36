import { resolve } from "node:path";
import { DESKTOP_PATH, DESKTOP_PROTOCOL_VERSION } from "../../shared/desktop/protocol.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { fixedCaptchaSource } from "../captcha/captcha-source.js";
import { type CompanionConfig, configFromEnv, REAL_KEYCHAIN_SERVICE } from "../config.js";
import { openCore } from "../core.js";
import { instanceId } from "../db/database.js";
import { demoDataDir } from "../demo/run.js";
import { DEMO_UNITS, seedDemo } from "../demo/seed.js";
import { forgetInstance } from "../keychain/keychain.js";
import { startServer } from "../server.js";
import { outboxGateway } from "../sms/gateway.js";

/** The keychain service of sandboxes unless TAXAUTH_KEYCHAIN_SERVICE names another (not the real one). */
const SANDBOX_KEYCHAIN_SERVICE = "taxauth-sandbox";
/** The answer of every captcha a sandbox draws. */
export const SANDBOX_CAPTCHA_ANSWER = "TEXT";
/** The 申报密码 of every demo unit in a sandbox. */
const SANDBOX_DECLARATION_PASSWORD = "Sandbox2026";

/** A sandbox's timers, in seconds: short, so that a vendor's CI sees each of them run out. */
export interface SandboxTimers {
  desktopIdleSeconds: number;
  pairingSeconds: number;
  qrSeconds: number;
}
export const SANDBOX_TIMERS: SandboxTimers = { desktopIdleSeconds: 30, pairingSeconds: 60, qrSeconds: 30 };

/** What `taxauth sandbox` prints, as one line of JSON, once it listens. */
interface SandboxInfo {
  sandbox: true;
  protocolVersion: number;
  url: string;
  desktopUrl: string;
  port: number;
  dataDir: string;
  keychainService: string;
  extensionOrigin: string;
  captchaAnswer: string;
  declarationPassword: string;
  timers: SandboxTimers;
  accounts: { role: string; name: string; loginName: string; phone: string; password: string }[];
  units: { tin: string; name: string }[];
}

/**
 * The sandbox's settings from the environment: never the real data dir, keychain service or a
 * shared database, whatever the environment says.
 */
function sandboxConfig(
  timers: SandboxTimers,
  env: NodeJS.ProcessEnv = process.env,
): { config: CompanionConfig; kept: boolean } {
  const real = configFromEnv({ ...env, TAXAUTH_DATA_DIR: undefined, TAXAUTH_KEYCHAIN_SERVICE: undefined });
  if (env.TAXAUTH_DATA_DIR && resolve(env.TAXAUTH_DATA_DIR) === resolve(real.dataDir)) {
    throw new Error(`沙箱不能使用本地服务的真实数据目录（${real.dataDir}）：请不设置 TAXAUTH_DATA_DIR，或换一个空目录`);
  }
  const keychainService = env.TAXAUTH_KEYCHAIN_SERVICE || SANDBOX_KEYCHAIN_SERVICE;
  if (keychainService === REAL_KEYCHAIN_SERVICE) {
    throw new Error(
      `沙箱不能使用本地服务的真实钥匙串服务名（${REAL_KEYCHAIN_SERVICE}）：请不设置 TAXAUTH_KEYCHAIN_SERVICE，或换一个名称`,
    );
  }
  const { dataDir, kept } = demoDataDir(env.TAXAUTH_DATA_DIR, "sandbox");
  const config: CompanionConfig = {
    // A free port unless TAXAUTH_PORT says otherwise: never the real companion's by default.
    ...configFromEnv({ TAXAUTH_PORT: "0", ...env, TAXAUTH_QR_TTL_SECONDS: String(timers.qrSeconds) }),
    dataDir,
    databaseUrl: undefined,
    keychainService,
    captcha: fixedCaptchaSource(SANDBOX_CAPTCHA_ANSWER),
    smsOutboxEcho: false,
    sandbox: { desktopIdleMs: timers.desktopIdleSeconds * 1000, pairingTtlMs: timers.pairingSeconds * 1000 },
  };
  return { config, kept };
}

/**
 * `taxauth sandbox`: a companion for desktop vendors' CI on a throwaway data dir with the demo's
 * units and people, every unit's 申报密码 known, a known captcha answer and short timers. Its
 * only output on stdout is one line of JSON (SandboxInfo) once it listens.
 */
export async function runSandbox(timers: SandboxTimers): Promise<void> {
  const { config, kept } = sandboxConfig(timers);
  // Seeding sends registration texts: they stay in the outbox.
  const seeding = await openCore({
    ...config,
    sms: outboxGateway(config.dataDir, { now: config.clock.now, print: () => {} }),
  });
  const { accounts, instance } = await seedDemo(seeding)
    .then(async (seeded) => {
      for (const unit of DEMO_UNITS) await seeding.declarationPasswords.set(unit.tin, SANDBOX_DECLARATION_PASSWORD);
      return { accounts: seeded, instance: await instanceId(seeding.sql) };
    })
    .finally(() => seeding.close());
  // The secrets of a throwaway data dir go with it: the keychain keeps nothing of such a sandbox.
  const stopped = async () => {
    if (!kept) await forgetInstance(config.keychainService, instance);
  };
  const announce = (port: number) => {
    const info: SandboxInfo = {
      sandbox: true,
      protocolVersion: DESKTOP_PROTOCOL_VERSION,
      url: `http://127.0.0.1:${port}`,
      desktopUrl: `ws://127.0.0.1:${port}${DESKTOP_PATH}`,
      port,
      dataDir: config.dataDir,
      keychainService: config.keychainService,
      // The development ID's, always accepted (store IDs come from TAXAUTH_EXTENSION_IDS).
      extensionOrigin: EXTENSION_ORIGIN,
      captchaAnswer: SANDBOX_CAPTCHA_ANSWER,
      declarationPassword: SANDBOX_DECLARATION_PASSWORD,
      timers,
      accounts,
      units: DEMO_UNITS.map(({ tin, name }) => ({ tin, name })),
    };
    process.stdout.write(`${JSON.stringify(info)}\n`);
  };
  await startServer(config, { announce, stopped });
}
