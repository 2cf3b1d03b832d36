// Idempotent set-up of a checkout: the system packages taxauth needs, then the npm packages (npm ci
// when package-lock.json changed). No dependencies: it runs before them.
//
//   node scripts/bootstrap.mjs [--test]
//
// Where apt-get exists (Debian, Ubuntu) the missing Debian packages are installed (through sudo when
// not root). Elsewhere it checks for what it would have installed and says what is missing; --test
// checks for what the tests need as well (Chromium, PostgreSQL).
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const forTests = process.argv.includes("--test");

// libsecret-1-dev + pkg-config + a C++ toolchain: keytar is built from source (no prebuilt download).
// gnome-keyring + dbus: the OS keychain on a machine without a desktop session.
// chromium (+ its zh_CN locale, for the Chinese UI) and a CJK font: end-to-end tests and legible
// screenshots. fonts-hanazono + fonts-babelstone-han: names with CJK Ext B–H ideographs drawn, not
// shown as code points (the 生僻字 picker). unicode-data: the Unihan database. postgresql: office
// mode's shared store (the tests start a private cluster of their own; nothing is set up
// system-wide). systemd: `systemd-analyze verify` checks the generated user unit.
const DEBIAN_PACKAGES = [
  "libsecret-1-dev",
  "pkg-config",
  "build-essential",
  "python3",
  "gnome-keyring",
  "dbus",
  "chromium",
  "chromium-l10n",
  "fonts-noto-cjk",
  "fonts-hanazono",
  "fonts-babelstone-han",
  "unicode-data",
  "postgresql",
  "systemd",
];
// Only the tests need these: firefox-esr (+ its Chinese locale) for the Firefox end-to-end test.
const TEST_PACKAGES = ["firefox-esr", "firefox-esr-l10n-zh-cn"];

const run = (command, args) => spawnSync(command, args, { encoding: "utf8" });
const found = (command) =>
  process.platform === "win32"
    ? run("where", [command]).status === 0
    : run("sh", ["-c", `command -v ${command}`]).status === 0;

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const nodeMajor = Number(process.versions.node.split(".")[0]);
if (nodeMajor < 20) fail(`需要 Node.js 20 或更高版本（当前 ${process.version}）`);

if (found("apt-get") && found("dpkg-query")) {
  const installed = (name) =>
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    run("dpkg-query", ["-W", "-f=${Status}", name]).stdout?.includes("install ok installed") === true;
  const missing = [...DEBIAN_PACKAGES, ...(forTests ? TEST_PACKAGES : [])].filter((name) => !installed(name));
  if (missing.length > 0) {
    const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
    const apt = (args) => {
      const [command, ...rest] = [...sudo, "apt-get", ...args];
      execFileSync(command, rest, {
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      });
    };
    process.stdout.write(`安装系统软件包: ${missing.join(" ")}\n`);
    apt(["update", "-qq"]);
    apt(["install", "-y", "-qq", "--no-install-recommends", ...missing]);
  }
} else {
  // What each need stands for on a system without apt: a program to find, and what provides it.
  const needs = [];
  if (process.platform === "linux") {
    needs.push(
      ["c++", "C++ 编译器（构建 keytar、better-sqlite3）"],
      ["make", "make"],
      ["python3", "Python 3（node-gyp）"],
      ["pkg-config", "pkg-config"],
    );
    if (found("pkg-config") && run("pkg-config", ["--exists", "libsecret-1"]).status !== 0) {
      needs.push([null, "libsecret 开发文件（libsecret-1，keytar 需要）"]);
    }
    // Only a machine without a desktop keyring needs these (scripts/with-keyring.sh).
    needs.push(
      ["dbus-daemon", "D-Bus（无桌面时的钥匙串）"],
      ["gnome-keyring-daemon", "gnome-keyring（无桌面时的钥匙串）"],
    );
  }
  if (forTests) {
    if (!process.env.CHROMIUM_PATH && !found("chromium"))
      needs.push(["chromium", "Chromium（端到端测试；或设置 CHROMIUM_PATH）"]);
    needs.push(["initdb", "PostgreSQL（initdb、pg_ctl，办公室模式的测试）"]);
  }
  const missing = needs.filter(([command]) => command === null || !found(command)).map(([, what]) => what);
  if (missing.length > 0) {
    fail(
      `缺少：\n  ${missing.join("\n  ")}\n（自动安装只支持 Debian/Ubuntu 的 apt-get：请用本系统的软件包管理器安装后再运行）`,
    );
  }
}

// npm ci only when the lock file changed since the last install, and never through a node_modules
// linked from another checkout (a git worktree's): npm ci would empty that one.
const modules = join(root, "node_modules");
const stamp = join(modules, ".taxauth-lock.sha256");
const want = createHash("sha256")
  .update(readFileSync(join(root, "package-lock.json")))
  .digest("hex");
if (existsSync(modules) && lstatSync(modules).isSymbolicLink()) {
  process.stdout.write(`node_modules 链接到 ${realpathSync(modules)}：不在这里运行 npm ci\n`);
} else if (!existsSync(stamp) || readFileSync(stamp, "utf8").trim() !== want) {
  process.stdout.write("安装 npm 依赖 (npm ci)\n");
  // npm is a .cmd on Windows, which only a shell runs.
  const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], {
    stdio: "inherit",
    shell: process.platform === "win32",
  });
  if (npm.status !== 0) fail("npm ci 失败");
  writeFileSync(stamp, want);
}
