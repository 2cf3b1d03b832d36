import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { dirname } from "node:path";
import { DEFAULT_COMPANION_PORT, EXTENSION_ID } from "../../shared/extension-identity.js";
import { companionAnswers } from "./companion-answers.js";
import { HOST_LOG_VARIABLE, START_COMMAND_VARIABLE } from "./native-host.js";
import {
  LAUNCHD_LABEL,
  type PackageFiles,
  packageFiles,
  SERVICE_NAME,
  type ServicePlaces,
  type ServicePlatform,
  servicePlaces,
} from "./places.js";
import {
  type CompanionLaunch,
  companionCommand,
  launchdPlist,
  launcherScript,
  nativeHostManifest,
  systemdUnit,
  windowsTaskXml,
} from "./service-files.js";

/** What a program printed, or null when it is not installed. */
export type RunResult = { status: number | null; stdout: string; stderr: string } | null;

/** The machine as `taxauth service` sees it; tests give a temp home. */
export interface ServiceSystem {
  platform: ServicePlatform;
  home: string;
  env: NodeJS.ProcessEnv;
  /** The Node.js binary the service runs on. */
  node: string;
  files: PackageFiles;
  uid: number;
  run(command: string, args: string[]): RunResult;
}

export function thisSystem(packageRoot: string): ServiceSystem {
  const platform = process.platform === "darwin" || process.platform === "win32" ? process.platform : "linux";
  return {
    platform,
    home: process.env.HOME || homedir(),
    env: process.env,
    node: process.execPath,
    files: packageFiles(packageRoot, platform),
    uid: platform === "win32" ? 0 : userInfo().uid,
    run(command, args) {
      const result = spawnSync(command, args, { encoding: "utf8", windowsHide: true });
      if (result.error) return null;
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
  };
}

const places = (system: ServiceSystem): ServicePlaces =>
  servicePlaces({ platform: system.platform, home: system.home, env: system.env });

/** The companion's settings the service keeps (TAXAUTH_*), without how this shell reached its keychain. */
export function carriedSettings(env: NodeJS.ProcessEnv): Record<string, string> {
  const skip = new Set(["TAXAUTH_KEYRING", START_COMMAND_VARIABLE, HOST_LOG_VARIABLE]);
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] =>
        entry[0].startsWith("TAXAUTH_") && !skip.has(entry[0]) && entry[1] !== undefined,
    ),
  );
}

/** Our pinned extension, and the store IDs in TAXAUTH_EXTENSION_IDS (comma-separated). */
export function extensionIds(env: NodeJS.ProcessEnv): string[] {
  const listed = (env.TAXAUTH_EXTENSION_IDS ?? "").split(",").map((id) => id.trim());
  return [...new Set([EXTENSION_ID, ...listed.filter((id) => /^[a-p]{32}$/.test(id))])];
}

/**
 * Linux only: whether the companion needs the private keyring wrapper. `taxauth` (bin/taxauth.js)
 * looked for a Secret Service on the session bus, and says what it found in TAXAUTH_KEYRING.
 */
const needsKeyringWrapper = (system: ServiceSystem) =>
  system.platform === "linux" && system.env.TAXAUTH_KEYRING !== "system";

function bashPath(system: ServiceSystem): string {
  const found = system.run("sh", ["-c", "command -v bash"])?.stdout.trim();
  return found || "/bin/bash";
}

/** Whether this user has a systemd user manager to talk to (not in most containers). */
const hasUserSystemd = (system: ServiceSystem) => system.run("systemctl", ["--user", "show-environment"])?.status === 0;

export function companionLaunch(system: ServiceSystem): CompanionLaunch {
  return {
    platform: system.platform,
    node: system.node,
    files: system.files,
    ...(needsKeyringWrapper(system) ? { keyringWrapper: { bash: bashPath(system) } } : {}),
    env: carriedSettings(system.env),
  };
}

function writeFile(path: string, text: string | Buffer, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
}

/**
 * The native messaging host: a launcher script that carries the companion's environment and how to
 * start it, and a manifest naming it for each browser.
 */
export function writeNativeHost(
  target: Pick<ServicePlaces, "hostLauncher" | "hosts" | "logDir">,
  host: { platform: ServicePlatform; node: string; nativeHost: string; env: Record<string, string>; start: string[] },
  ids: readonly string[],
  run: ServiceSystem["run"],
): string[] {
  const env = {
    ...host.env,
    [START_COMMAND_VARIABLE]: JSON.stringify(host.start),
    [HOST_LOG_VARIABLE]: `${target.logDir}${host.platform === "win32" ? "\\" : "/"}native-host.log`,
  };
  writeFile(target.hostLauncher, launcherScript(host.platform, env, [host.node, host.nativeHost]), 0o700);
  const manifest = nativeHostManifest(target.hostLauncher, ids);
  const lines: string[] = [];
  for (const registration of target.hosts) {
    writeFile(registration.manifestPath, manifest, 0o644);
    if (registration.registryKey) {
      run("reg", ["add", registration.registryKey, "/ve", "/t", "REG_SZ", "/d", registration.manifestPath, "/f"]);
    }
    lines.push(`浏览器启动程序（${registration.browser}）：${registration.manifestPath}`);
  }
  return lines;
}

/** Writes the service and the native host for this user, and starts the service where it can. */
export function installService(system: ServiceSystem): string[] {
  if (!existsSync(system.files.main) || !existsSync(system.files.nativeHost)) {
    throw new Error(`找不到构建好的本地服务 ${system.files.main}：请先运行 npm run build:companion`);
  }
  if (system.env.TAXAUTH_PORT === "0") throw new Error("作为服务运行时 TAXAUTH_PORT 不能为 0（浏览器需要固定的地址）");
  const where = places(system);
  const launch = companionLaunch(system);
  const lines: string[] = [];
  let start: string[];

  if (system.platform === "linux") {
    writeFile(where.serviceFile, systemdUnit(launch), 0o644);
    lines.push(`systemd 用户服务：${where.serviceFile}`);
    if (hasUserSystemd(system)) {
      system.run("systemctl", ["--user", "daemon-reload"]);
      const enabled = system.run("systemctl", ["--user", "enable", "--now", `${SERVICE_NAME}.service`]);
      lines.push(
        enabled?.status === 0
          ? "已启用并启动：登录后自动运行，日志见 journalctl --user -u taxauth"
          : `systemctl --user enable --now 失败：${enabled?.stderr.trim() ?? ""}`,
      );
      start = ["systemctl", "--user", "start", `${SERVICE_NAME}.service`];
    } else {
      lines.push(
        "注意：这里没有 systemd 用户实例（容器，或没有登录会话），服务文件已写好但未启用；" +
          "在有登录会话时运行 systemctl --user enable --now taxauth 即可随登录启动。浏览器仍可按需启动本地服务。",
      );
      start = companionCommand(launch).argv;
    }
  } else if (system.platform === "darwin") {
    mkdirSync(where.logDir, { recursive: true, mode: 0o700 });
    writeFile(where.serviceFile, launchdPlist(launch, where.logDir), 0o644);
    const domain = `gui/${system.uid}`;
    system.run("launchctl", ["bootout", `${domain}/${LAUNCHD_LABEL}`]);
    const loaded = system.run("launchctl", ["bootstrap", domain, where.serviceFile]);
    lines.push(
      `launchd 代理：${where.serviceFile}`,
      loaded?.status === 0 ? "已载入：登录后自动运行" : "launchctl bootstrap 失败",
    );
    lines.push(`日志：${where.logDir}`);
    start = ["launchctl", "kickstart", `${domain}/${LAUNCHD_LABEL}`];
  } else {
    const { argv, env } = companionCommand(launch);
    writeFile(where.companionLauncher, launcherScript("win32", env, argv, `${where.logDir}\\companion.log`), 0o700);
    mkdirSync(where.logDir, { recursive: true });
    const userId = `${system.env.USERDOMAIN ?? "."}\\${system.env.USERNAME ?? ""}`;
    // Task Scheduler reads its XML as UTF-16, as it writes it.
    const xml = windowsTaskXml({ userId, launcher: where.companionLauncher });
    writeFile(where.serviceFile, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, "utf16le")]));
    const created = system.run("schtasks", ["/Create", "/TN", SERVICE_NAME, "/XML", where.serviceFile, "/F"]);
    system.run("schtasks", ["/Run", "/TN", SERVICE_NAME]);
    lines.push(
      `计划任务（登录时运行）：${SERVICE_NAME}`,
      created?.status === 0 ? "已创建并启动" : "schtasks /Create 失败",
    );
    lines.push(`日志：${where.logDir}`);
    start = ["schtasks", "/Run", "/TN", SERVICE_NAME];
  }

  const hostEnv = companionCommand(launch).env;
  lines.push(
    ...writeNativeHost(
      where,
      { platform: system.platform, node: system.node, nativeHost: system.files.nativeHost, env: hostEnv, start },
      extensionIds(system.env),
      system.run,
    ),
  );
  return lines;
}

/** Stops the service and removes what install wrote; the data dir and the keychain stay. */
export function uninstallService(system: ServiceSystem): string[] {
  const where = places(system);
  if (system.platform === "linux" && hasUserSystemd(system)) {
    system.run("systemctl", ["--user", "disable", "--now", `${SERVICE_NAME}.service`]);
  } else if (system.platform === "darwin") {
    system.run("launchctl", ["bootout", `gui/${system.uid}/${LAUNCHD_LABEL}`]);
  } else if (system.platform === "win32") {
    system.run("schtasks", ["/Delete", "/TN", SERVICE_NAME, "/F"]);
  }
  for (const registration of where.hosts) {
    if (registration.registryKey) system.run("reg", ["delete", registration.registryKey, "/f"]);
    rmSync(registration.manifestPath, { force: true });
  }
  for (const path of [where.serviceFile, where.hostLauncher, where.companionLauncher]) rmSync(path, { force: true });
  if (system.platform === "linux" && hasUserSystemd(system)) system.run("systemctl", ["--user", "daemon-reload"]);
  return ["已移除本地服务的自动启动和浏览器启动程序（数据目录和钥匙串中的密钥保留）"];
}

export interface ServiceStatus {
  installed: boolean;
  serviceFile: string;
  /** What the service manager says (active, inactive, …), when there is one to ask. */
  manager?: string;
  running: boolean;
  url: string;
  hosts: Array<{ browser: string; manifestPath: string; registered: boolean }>;
}

export async function serviceStatus(system: ServiceSystem): Promise<ServiceStatus> {
  const where = places(system);
  const url = `http://127.0.0.1:${system.env.TAXAUTH_PORT || DEFAULT_COMPANION_PORT}`;
  let manager: string | undefined;
  if (system.platform === "linux" && hasUserSystemd(system)) {
    manager = system.run("systemctl", ["--user", "is-active", `${SERVICE_NAME}.service`])?.stdout.trim();
  } else if (system.platform === "darwin") {
    manager =
      system.run("launchctl", ["print", `gui/${system.uid}/${LAUNCHD_LABEL}`])?.status === 0 ? "loaded" : "not loaded";
  } else if (system.platform === "win32") {
    manager = system.run("schtasks", ["/Query", "/TN", SERVICE_NAME])?.status === 0 ? "registered" : "not registered";
  }
  return {
    installed: existsSync(where.serviceFile),
    serviceFile: where.serviceFile,
    ...(manager ? { manager } : {}),
    running: await companionAnswers(url),
    url,
    hosts: where.hosts.map((host) => ({
      browser: host.browser,
      manifestPath: host.manifestPath,
      registered: existsSync(host.manifestPath),
    })),
  };
}
