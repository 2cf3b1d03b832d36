/**
 * The files `taxauth service install` writes, for each OS: the systemd unit (also checked by
 * `systemd-analyze verify`), the launchd agent, the Windows logon task, the launcher scripts
 * (the POSIX one run by sh) and the native messaging host manifest.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageFiles, servicePlaces } from "../../companion/service/places.js";
import {
  type CompanionLaunch,
  launchdPlist,
  launcherScript,
  nativeHostManifest,
  systemdUnit,
  windowsTaskXml,
} from "../../companion/service/service-files.js";
import { EXTENSION_ID } from "../../shared/extension-identity.js";

const scratch = mkdtempSync(join(tmpdir(), "taxauth-service-files-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// A package path with a space, a quote, a dollar and a percent: each OS's quoting must keep it whole.
const odd = "/opt/my pkgs/it's $HOME 100%/taxauth";
const launch = (overrides: Partial<CompanionLaunch> = {}): CompanionLaunch => ({
  platform: "linux",
  node: process.execPath,
  files: packageFiles(odd, "linux"),
  env: { TAXAUTH_PORT: "17900", TAXAUTH_DATA_DIR: "/home/clerk/税务 data" },
  ...overrides,
});

describe("Linux: the systemd user unit", () => {
  it("runs the companion with the desktop's keychain, restarts it on failure, logs to the journal", () => {
    const unit = systemdUnit(launch());
    expect(unit).toContain(
      `ExecStart="${process.execPath}" "/opt/my pkgs/it's $$HOME 100%%/taxauth/dist/taxauth/main.js" "start"`,
    );
    expect(unit).toContain('Environment="TAXAUTH_PORT=17900"');
    expect(unit).toContain('Environment="TAXAUTH_DATA_DIR=/home/clerk/税务 data"');
    expect(unit).toContain('Environment="TAXAUTH_KEYRING=system"');
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^StandardOutput=journal$/m);
    expect(unit).toMatch(/^StandardError=journal$/m);
    expect(unit).toMatch(/^WantedBy=default\.target$/m);
  });

  it("runs inside the private keyring wrapper when there was no Secret Service", () => {
    const unit = systemdUnit(launch({ keyringWrapper: { bash: "/usr/bin/bash" } }));
    expect(unit).toContain(
      `ExecStart="/usr/bin/bash" "/opt/my pkgs/it's $$HOME 100%%/taxauth/scripts/with-keyring.sh" "${process.execPath}"`,
    );
    expect(unit).not.toContain("TAXAUTH_KEYRING");
  });

  it("passes systemd-analyze verify without a warning", () => {
    const runtime = mkdtempSync(join(scratch, "run-"));
    chmodSync(runtime, 0o700);
    for (const [name, unit] of [
      ["taxauth.service", systemdUnit(launch())],
      ["taxauth-wrapped.service", systemdUnit(launch({ keyringWrapper: { bash: "/bin/bash" } }))],
    ] as const) {
      const file = join(scratch, name);
      writeFileSync(file, unit);
      const verified = spawnSync("systemd-analyze", ["--user", "verify", file], {
        encoding: "utf8",
        env: { ...process.env, XDG_RUNTIME_DIR: runtime },
      });
      expect(verified.error, "systemd-analyze (Debian package systemd) is missing").toBeUndefined();
      // It only warns about a setting it cannot parse: no output at all is the pass.
      expect({ status: verified.status, output: verified.stdout + verified.stderr }).toEqual({ status: 0, output: "" });
    }
  });

  it("puts the files under XDG_CONFIG_HOME, with Chrome's, Chromium's and Edge's host folders", () => {
    const places = servicePlaces({ platform: "linux", home: "/home/clerk", env: { XDG_CONFIG_HOME: "/cfg" } });
    expect(places.serviceFile).toBe("/cfg/systemd/user/taxauth.service");
    expect(places.hosts.map((host) => host.manifestPath)).toEqual([
      "/cfg/google-chrome/NativeMessagingHosts/com.taxauth.companion.json",
      "/cfg/chromium/NativeMessagingHosts/com.taxauth.companion.json",
      "/cfg/microsoft-edge/NativeMessagingHosts/com.taxauth.companion.json",
    ]);
    expect(servicePlaces({ platform: "linux", home: "/home/clerk", env: {} }).serviceFile).toBe(
      "/home/clerk/.config/systemd/user/taxauth.service",
    );
  });
});

describe("macOS: the launchd agent", () => {
  const plist = launchdPlist(
    launch({ platform: "darwin", files: packageFiles("/opt/a&b/taxauth", "darwin") }),
    "/Users/clerk/Library/Logs/taxauth",
  );

  it("runs at load, again after a failure, with its environment and its log files", () => {
    expect(plist).toContain("<key>Label</key><string>com.taxauth.companion</string>");
    expect(plist).toContain(
      `<array>\n    <string>${process.execPath}</string>\n    <string>/opt/a&amp;b/taxauth/dist/taxauth/main.js</string>\n    <string>start</string>\n  </array>`,
    );
    expect(plist).toContain("<key>TAXAUTH_PORT</key><string>17900</string>");
    expect(plist).not.toContain("TAXAUTH_KEYRING");
    expect(plist).toContain("<key>RunAtLoad</key><true/>");
    expect(plist).toContain("<key>KeepAlive</key>\n  <dict><key>SuccessfulExit</key><false/></dict>");
    expect(plist).toContain("<string>/Users/clerk/Library/Logs/taxauth/companion.err.log</string>");
  });

  it("is well-formed XML with balanced elements", () => {
    const body = plist.replace(/<\?xml[^>]*\?>|<!DOCTYPE[^>]*>/g, "");
    const open: string[] = [];
    for (const [, closing, name, selfClosing] of body.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
      if (selfClosing) continue;
      if (closing) expect(open.pop()).toBe(name);
      else open.push(name as string);
    }
    expect(open).toEqual([]);
  });

  it("lives in ~/Library/LaunchAgents, the hosts under Application Support", () => {
    const places = servicePlaces({ platform: "darwin", home: "/Users/clerk", env: {} });
    expect(places.serviceFile).toBe("/Users/clerk/Library/LaunchAgents/com.taxauth.companion.plist");
    expect(places.hosts[0]?.manifestPath).toBe(
      "/Users/clerk/Library/Application Support/Google/Chrome/NativeMessagingHosts/com.taxauth.companion.json",
    );
  });
});

describe("Windows: the logon task", () => {
  const places = servicePlaces({
    platform: "win32",
    home: "C:\\Users\\clerk",
    env: { LOCALAPPDATA: "C:\\Users\\clerk\\AppData\\Local" },
  });

  it("runs the launcher at this user's logon, unelevated, without a time limit, again after a failure", () => {
    const xml = windowsTaskXml({ userId: "OFFICE\\clerk", launcher: places.companionLauncher });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-16"?>\r\n')).toBe(true);
    expect(xml).toContain("<LogonTrigger>\r\n      <Enabled>true</Enabled>\r\n      <UserId>OFFICE\\clerk</UserId>");
    expect(xml).toContain("<LogonType>InteractiveToken</LogonType>");
    expect(xml).toContain("<RunLevel>LeastPrivilege</RunLevel>");
    expect(xml).toContain("<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>");
    expect(xml).toContain("<RestartOnFailure>");
    expect(xml).toContain("<Command>C:\\Users\\clerk\\AppData\\Local\\taxauth\\companion.cmd</Command>");
  });

  it("has the launcher set the environment and send the output to the log", () => {
    const script = launcherScript(
      "win32",
      { TAXAUTH_PORT: "17900" },
      ["C:\\Program Files\\nodejs\\node.exe", "C:\\npm\\taxauth\\dist\\taxauth\\main.js", "start"],
      "C:\\Users\\clerk\\AppData\\Local\\taxauth\\logs\\companion.log",
    );
    expect(script.split("\r\n")).toEqual([
      "@echo off",
      "setlocal",
      'set "TAXAUTH_PORT=17900"',
      '"C:\\Program Files\\nodejs\\node.exe" "C:\\npm\\taxauth\\dist\\taxauth\\main.js" "start" %* >> "C:\\Users\\clerk\\AppData\\Local\\taxauth\\logs\\companion.log" 2>&1',
      "",
    ]);
  });

  it("registers the host manifest under HKCU for each browser", () => {
    expect(places.hosts.map((host) => host.registryKey)).toEqual([
      "HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\com.taxauth.companion",
      "HKCU\\Software\\Chromium\\NativeMessagingHosts\\com.taxauth.companion",
      "HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\com.taxauth.companion",
    ]);
    expect(places.hosts[0]?.manifestPath).toBe("C:\\Users\\clerk\\AppData\\Local\\taxauth\\com.taxauth.companion.json");
  });
});

describe("the native host", () => {
  it("is started through a POSIX launcher that carries the environment and the browser's arguments", () => {
    const launcher = join(scratch, "native-host.sh");
    const printer = join(scratch, "print.mjs");
    writeFileSync(
      printer,
      "console.log(JSON.stringify({ args: process.argv.slice(2), port: process.env.TAXAUTH_PORT, dir: process.env.TAXAUTH_DATA_DIR }))",
    );
    writeFileSync(
      launcher,
      launcherScript("linux", { TAXAUTH_PORT: "17900", TAXAUTH_DATA_DIR: "/it's $HOME" }, [process.execPath, printer]),
      { mode: 0o700 },
    );
    const printed = execFileSync(launcher, [`chrome-extension://${EXTENSION_ID}/`], { encoding: "utf8", env: {} });
    expect(JSON.parse(printed)).toEqual({
      args: [`chrome-extension://${EXTENSION_ID}/`],
      port: "17900",
      dir: "/it's $HOME",
    });
  });

  it("has a manifest for our extension's origins only", () => {
    expect(JSON.parse(nativeHostManifest("/home/clerk/.config/taxauth/native-host.sh", [EXTENSION_ID]))).toEqual({
      name: "com.taxauth.companion",
      description: expect.any(String),
      path: "/home/clerk/.config/taxauth/native-host.sh",
      type: "stdio",
      allowed_origins: [`chrome-extension://${EXTENSION_ID}/`],
    });
  });
});
