/**
 * The package as a user gets it: `npm pack`, then `npm i -g` of the tarball into a temp prefix
 * (offline, from the npm cache `npm ci` filled: the tarball's npm-shrinkwrap.json pins the tree;
 * keytar and better-sqlite3 build from source, most of the ~2 minutes). Then, with a temp HOME and
 * no source tree in sight, `taxauth service install` and `service status`: the unit and the host's
 * launcher point into the installed package, and the host started through that launcher brings up
 * the installed companion. `service uninstall` removes it all. Needs `npm run build:companion`.
 */
import { execFile, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { encodeMessage, messageReader } from "../../companion/service/native-messaging.js";
import { EXTENSION_ID } from "../../shared/extension-identity.js";
import { TEST_KEYCHAIN_SERVICE } from "../support/companion.js";

const repoRoot = join(import.meta.dirname, "..", "..");
const scratch = mkdtempSync(join(tmpdir(), "taxauth-package-"));
const prefix = join(scratch, "prefix");
const home = join(scratch, "home");
const installed = join(prefix, "lib", "node_modules", "taxauth");
const port = 17_700 + Math.floor(Math.random() * 90);
const hostLog = join(home, ".config", "taxauth", "logs", "native-host.log");
const run = promisify(execFile);

// No user systemd to reach (an empty runtime dir): nothing is enabled in the session running the tests.
const runtimeDir = join(scratch, "run");
mkdirSync(runtimeDir, { mode: 0o700 });
chmodSync(runtimeDir, 0o700);
const userEnv = {
  PATH: process.env.PATH ?? "",
  HOME: home,
  XDG_RUNTIME_DIR: runtimeDir,
  TAXAUTH_PORT: String(port),
  TAXAUTH_DATA_DIR: join(scratch, "data"),
  TAXAUTH_KEYCHAIN_SERVICE: TEST_KEYCHAIN_SERVICE,
  TAXAUTH_LOG_LEVEL: "warn",
};
const taxauth = (args: string[]) =>
  run(join(prefix, "bin", "taxauth"), args, { env: userEnv, cwd: scratch }).catch(
    (error: { stdout?: string; stderr?: string; code?: number }) => ({
      stdout: error.stdout ?? "",
      stderr: `${error.stderr ?? ""} (exit ${error.code})`,
    }),
  );

afterAll(() => {
  const pid = existsSync(hostLog) ? /started pid=(\d+)/.exec(readFileSync(hostLog, "utf8"))?.[1] : undefined;
  if (pid) process.kill(Number(pid), "SIGTERM");
  rmSync(scratch, { recursive: true, force: true });
});

describe("the npm package, installed globally", () => {
  it("packs and installs offline from the npm cache", { timeout: 600_000 }, async () => {
    if (!existsSync(join(repoRoot, "dist", "taxauth", "main.js")))
      throw new Error("run `npm run build:companion` first");
    const packed = await run("npm", ["pack", "--pack-destination", scratch], { cwd: repoRoot });
    const tarball = join(scratch, packed.stdout.trim().split("\n").at(-1) ?? "");
    const started = Date.now();
    await run("npm", ["i", "-g", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball], {
      cwd: scratch,
      maxBuffer: 16 * 1024 * 1024,
    });
    process.stdout.write(`npm i -g of the tarball: ${Math.round((Date.now() - started) / 1000)} s\n`);
    expect(existsSync(join(installed, "dist", "taxauth", "native-host.js"))).toBe(true);
    // Only what runs is shipped: no sources, no tests, no build scripts.
    expect(existsSync(join(installed, "companion"))).toBe(false);
    expect(existsSync(join(installed, "scripts", "bundle-companion.mjs"))).toBe(false);
  });

  it("service install writes the unit and the hosts, pointing into the installed package", async () => {
    const { stdout, stderr } = await taxauth(["service", "install"]);
    expect(stderr).toBe("");
    expect(stdout).toContain("没有 systemd 用户实例");
    const unit = readFileSync(join(home, ".config", "systemd", "user", "taxauth.service"), "utf8");
    // The tests' keyring is a private one: the service gets the wrapper, from the installed package.
    expect(unit).toContain(
      `"${join(installed, "scripts", "with-keyring.sh")}" "${process.execPath}" "${join(installed, "dist", "taxauth", "main.js")}" "start"`,
    );
    expect(unit).toContain(`Environment="TAXAUTH_PORT=${port}"`);
    const launcher = join(home, ".config", "taxauth", "native-host.sh");
    for (const browser of ["google-chrome", "chromium", "microsoft-edge"]) {
      const manifest = JSON.parse(
        readFileSync(join(home, ".config", browser, "NativeMessagingHosts", "com.taxauth.companion.json"), "utf8"),
      );
      expect(manifest).toMatchObject({ path: launcher, allowed_origins: [`chrome-extension://${EXTENSION_ID}/`] });
    }
    expect(readFileSync(launcher, "utf8")).toContain(`'${join(installed, "dist", "taxauth", "native-host.js")}'`);
  });

  it("service status: installed, not running, the hosts registered", async () => {
    const { stdout } = await taxauth(["service", "status"]);
    expect(stdout).toContain("服务：已安装");
    expect(stdout).toContain(`运行：未运行（http://127.0.0.1:${port}）`);
    expect(stdout.match(/：已注册/g)).toHaveLength(3);
  });

  it("the installed host starts the installed companion", { timeout: 60_000 }, async () => {
    const host = spawn(join(home, ".config", "taxauth", "native-host.sh"), [`chrome-extension://${EXTENSION_ID}/`], {
      env: userEnv,
      stdio: ["pipe", "pipe", "inherit"],
    });
    const reader = messageReader();
    const answers: unknown[] = [];
    host.stdout.on("data", (chunk: Buffer) => answers.push(...reader.push(chunk)));
    host.stdin.end(encodeMessage({ type: "start" }));
    await new Promise((resolve) => host.on("exit", resolve));
    expect(answers, readFileSync(hostLog, "utf8")).toEqual([
      { ok: true, url: `http://127.0.0.1:${port}`, started: true },
    ]);
    expect((await taxauth(["service", "status"])).stdout).toContain("运行：正在运行");
  });

  it("service uninstall removes the unit, the launcher and the manifests", async () => {
    await taxauth(["service", "uninstall"]);
    expect(existsSync(join(home, ".config", "systemd", "user", "taxauth.service"))).toBe(false);
    expect(existsSync(join(home, ".config", "taxauth", "native-host.sh"))).toBe(false);
    expect(existsSync(join(home, ".config", "chromium", "NativeMessagingHosts", "com.taxauth.companion.json"))).toBe(
      false,
    );
    expect((await taxauth(["service", "status"])).stdout).toContain("服务：未安装");
  });
});
