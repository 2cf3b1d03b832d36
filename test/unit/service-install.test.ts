/**
 * `taxauth service install | uninstall` against a temp home, with the service managers' commands
 * recorded rather than run: what each OS's install writes and asks its service manager for, and what
 * the native host is told to start with. (test/package runs the real thing on this Linux.)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installService, type ServiceSystem, uninstallService } from "../../companion/service/install.js";
import { packageFiles, type ServicePlatform } from "../../companion/service/places.js";

const scratch = mkdtempSync(join(tmpdir(), "taxauth-service-install-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const root = join(scratch, "package");
mkdirSync(join(root, "dist", "taxauth"), { recursive: true });
for (const file of ["main.js", "native-host.js"]) writeFileSync(join(root, "dist", "taxauth", file), "");

function system(platform: ServicePlatform, env: NodeJS.ProcessEnv, userSystemd: boolean) {
  const home = mkdtempSync(join(scratch, "home-"));
  const calls: string[] = [];
  const fake: ServiceSystem = {
    platform,
    home,
    env,
    node: "/usr/bin/node",
    files: packageFiles(root, platform),
    uid: 1000,
    run(command, args) {
      calls.push([command, ...args].join(" "));
      if (command === "systemctl" && !userSystemd) return { status: 1, stdout: "", stderr: "Failed to connect to bus" };
      if (command === "sh") return { status: 0, stdout: "/usr/bin/bash\n", stderr: "" };
      return { status: 0, stdout: "", stderr: "" };
    },
  };
  return { fake, home, calls };
}

/** The command the native host's launcher was told to start the companion with. */
const hostStart = (launcher: string) =>
  JSON.parse(/^export TAXAUTH_NATIVE_HOST_START='(.*)'$/m.exec(readFileSync(launcher, "utf8"))?.[1] ?? "null");

describe("service install", () => {
  it("Linux with a user systemd: enables the unit, and the host starts it through systemctl", () => {
    const { fake, home, calls } = system("linux", { TAXAUTH_KEYRING: "system", TAXAUTH_PORT: "17900" }, true);
    installService(fake);
    expect(calls).toContain("systemctl --user enable --now taxauth.service");
    const unit = readFileSync(join(home, ".config", "systemd", "user", "taxauth.service"), "utf8");
    expect(unit).toContain(`ExecStart="/usr/bin/node" "${root}/dist/taxauth/main.js" "start"`);
    expect(hostStart(join(home, ".config", "taxauth", "native-host.sh"))).toEqual([
      "systemctl",
      "--user",
      "start",
      "taxauth.service",
    ]);

    uninstallService(fake);
    expect(calls).toContain("systemctl --user disable --now taxauth.service");
  });

  it("Linux without one (a container): writes the unit, and the host starts the companion itself, in the wrapper", () => {
    const { fake, home, calls } = system("linux", { TAXAUTH_KEYRING: "private" }, false);
    const said = installService(fake).join("\n");
    expect(said).toContain("没有 systemd 用户实例");
    expect(calls.some((call) => call.includes("enable"))).toBe(false);
    expect(hostStart(join(home, ".config", "taxauth", "native-host.sh"))).toEqual([
      "/usr/bin/bash",
      `${root}/scripts/with-keyring.sh`,
      "/usr/bin/node",
      `${root}/dist/taxauth/main.js`,
      "start",
    ]);
  });

  it("macOS: loads the agent in the user's GUI domain, and the host kickstarts it", () => {
    const { fake, home, calls } = system("darwin", {}, false);
    installService(fake);
    const plist = join(home, "Library", "LaunchAgents", "com.taxauth.companion.plist");
    expect(readFileSync(plist, "utf8")).toContain("<key>RunAtLoad</key><true/>");
    expect(calls).toContain(`launchctl bootstrap gui/1000 ${plist}`);
    const launcher = join(home, "Library", "Application Support", "taxauth", "native-host.sh");
    expect(hostStart(launcher)).toEqual(["launchctl", "kickstart", "gui/1000/com.taxauth.companion"]);
    const manifest = join(home, "Library", "Application Support", "Google", "Chrome", "NativeMessagingHosts");
    expect(JSON.parse(readFileSync(join(manifest, "com.taxauth.companion.json"), "utf8")).path).toBe(launcher);

    uninstallService(fake);
    expect(calls).toContain("launchctl bootout gui/1000/com.taxauth.companion");
  });

  it("refuses port 0, which no browser could find again", () => {
    expect(() => installService(system("linux", { TAXAUTH_PORT: "0" }, false).fake)).toThrow(/TAXAUTH_PORT/);
  });
});
