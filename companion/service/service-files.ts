import { NATIVE_HOST_NAME } from "../../shared/extension-identity.js";
import { LAUNCHD_LABEL, type PackageFiles, type ServicePlatform } from "./places.js";

/** How the companion is started: by the service manager at login, and by the native host on demand. */
export interface CompanionLaunch {
  platform: ServicePlatform;
  /** The Node.js binary that installed it (process.execPath): the same one runs it. */
  node: string;
  files: PackageFiles;
  /**
   * Linux without a Secret Service on the session bus at install time: the companion runs inside
   * the private D-Bus + gnome-keyring wrapper (the path of bash). Decided once, so that every start
   * finds its key in the same keyring.
   */
  keyringWrapper?: { bash: string };
  /** The TAXAUTH_* settings the companion was installed with (port, data dir, …). */
  env: Record<string, string>;
}

/** The companion's command line, and the environment it adds. */
export function companionCommand(launch: CompanionLaunch): { argv: string[]; env: Record<string, string> } {
  const companion = [launch.node, launch.files.main, "start"];
  if (launch.keyringWrapper)
    return { argv: [launch.keyringWrapper.bash, launch.files.keyringWrapper, ...companion], env: launch.env };
  // The desktop's own keychain; on Linux bin/taxauth.js would otherwise look for one again.
  return {
    argv: companion,
    env: launch.platform === "linux" ? { ...launch.env, TAXAUTH_KEYRING: "system" } : launch.env,
  };
}

/** systemd quoting: each word in double quotes, with `\`, `"`, `$` and `%` (specifiers) escaped. */
const systemdWord = (word: string) =>
  `"${word.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("$", "$$$$").replaceAll("%", "%%")}"`;

/**
 * The systemd user unit (~/.config/systemd/user/taxauth.service): started with the user's session,
 * restarted when it fails; its stdout and stderr go to the journal (`journalctl --user -u taxauth`).
 */
export function systemdUnit(launch: CompanionLaunch): string {
  const { argv, env } = companionCommand(launch);
  return [
    "[Unit]",
    "Description=taxauth 本地服务 (companion on 127.0.0.1)",
    "Documentation=https://www.npmjs.com/package/taxauth",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${argv.map(systemdWord).join(" ")}`,
    ...Object.entries(env).map(([name, value]) => `Environment=${systemdWord(`${name}=${value}`)}`),
    "Restart=on-failure",
    "RestartSec=5",
    "StandardOutput=journal",
    "StandardError=journal",
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n");
}

const xml = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/**
 * The launchd agent (~/Library/LaunchAgents/com.taxauth.companion.plist): loaded at login, started
 * again when it exits with an error; its output in ~/Library/Logs/taxauth.
 */
export function launchdPlist(launch: CompanionLaunch, logDir: string): string {
  const { argv, env } = companionCommand(launch);
  const string = (text: string) => `<string>${xml(text)}</string>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    "<dict>",
    `  <key>Label</key>${string(LAUNCHD_LABEL)}`,
    "  <key>ProgramArguments</key>",
    "  <array>",
    ...argv.map((word) => `    ${string(word)}`),
    "  </array>",
    "  <key>EnvironmentVariables</key>",
    "  <dict>",
    ...Object.entries(env).map(([name, value]) => `    <key>${xml(name)}</key>${string(value)}`),
    "  </dict>",
    "  <key>RunAtLoad</key><true/>",
    // Started again when it fails, not after a clean stop.
    "  <key>KeepAlive</key>",
    "  <dict><key>SuccessfulExit</key><false/></dict>",
    "  <key>ThrottleInterval</key><integer>5</integer>",
    "  <key>ProcessType</key><string>Background</string>",
    `  <key>StandardOutPath</key>${string(`${logDir}/companion.out.log`)}`,
    `  <key>StandardErrorPath</key>${string(`${logDir}/companion.err.log`)}`,
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}

/** A cmd.exe word: in double quotes (paths with spaces); `%` doubled is not needed in a .cmd `set`. */
const cmdWord = (word: string) => `"${word.replaceAll('"', '""')}"`;

/**
 * The launcher scripts carry the environment: Windows' Task Scheduler and every browser's native
 * host start a program without one of our choosing. `target` is the command the script runs;
 * on Windows `log` (when given) takes its output.
 */
export function launcherScript(
  platform: ServicePlatform,
  env: Record<string, string>,
  target: string[],
  log?: string,
): string {
  if (platform === "win32") {
    const redirect = log ? ` >> ${cmdWord(log)} 2>&1` : "";
    return [
      "@echo off",
      "setlocal",
      ...Object.entries(env).map(([name, value]) => `set "${name}=${value.replaceAll('"', "")}"`),
      `${target.map(cmdWord).join(" ")} %*${redirect}`,
      "",
    ].join("\r\n");
  }
  const sh = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  return [
    "#!/bin/sh",
    "# Written by `taxauth service install`; `taxauth service uninstall` removes it.",
    ...Object.entries(env).map(([name, value]) => `export ${name}=${sh(value)}`),
    `exec ${target.map(sh).join(" ")} "$@"`,
    "",
  ].join("\n");
}

/**
 * The Windows scheduled task (schtasks /Create /XML): at the user's logon, as that user without
 * elevation, no time limit, started again after a failure; it runs the launcher script, which
 * sends the companion's output to the log folder.
 */
export function windowsTaskXml(options: { userId: string; launcher: string }): string {
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    "  <RegistrationInfo>",
    "    <Description>taxauth 本地服务 (companion on 127.0.0.1)</Description>",
    "  </RegistrationInfo>",
    "  <Triggers>",
    "    <LogonTrigger>",
    "      <Enabled>true</Enabled>",
    `      <UserId>${xml(options.userId)}</UserId>`,
    "    </LogonTrigger>",
    "  </Triggers>",
    "  <Principals>",
    '    <Principal id="Author">',
    `      <UserId>${xml(options.userId)}</UserId>`,
    "      <LogonType>InteractiveToken</LogonType>",
    "      <RunLevel>LeastPrivilege</RunLevel>",
    "    </Principal>",
    "  </Principals>",
    "  <Settings>",
    "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>",
    "    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>",
    "    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>",
    "    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>",
    "    <RestartOnFailure>",
    "      <Interval>PT1M</Interval>",
    "      <Count>999</Count>",
    "    </RestartOnFailure>",
    "    <Hidden>true</Hidden>",
    "    <Enabled>true</Enabled>",
    "  </Settings>",
    '  <Actions Context="Author">',
    "    <Exec>",
    `      <Command>${xml(options.launcher)}</Command>`,
    "    </Exec>",
    "  </Actions>",
    "</Task>",
    "",
  ].join("\r\n");
}

/** The native messaging host manifest: the launcher Chrome runs, for our extension's origins only. */
export function nativeHostManifest(launcher: string, extensionIds: readonly string[]): string {
  const manifest = {
    name: NATIVE_HOST_NAME,
    description: "taxauth: starts the local companion service for the extension",
    path: launcher,
    type: "stdio",
    allowed_origins: extensionIds.map((id) => `chrome-extension://${id}/`),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
