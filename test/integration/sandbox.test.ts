/**
 * `taxauth sandbox` for desktop vendors' CI (issue 14, "The protocol for other programs"): the built
 * CLI as a real process (npm run build:companion first), reached as a vendor's test would — its JSON
 * line, the desktop socket, and `sandbox approve` / `sandbox confirm-qr` in place of the popup.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import keytar from "keytar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { DesktopClient } from "../../shared/desktop/client.js";
import { DESKTOP_PATH, DESKTOP_PROTOCOL_VERSION } from "../../shared/desktop/protocol.js";
import { DEFAULT_COMPANION_PORT } from "../../shared/extension-identity.js";
import { newRequesterKeys } from "../../shared/qr-login/requester-keys.js";
import { api, startCompanion } from "../support/companion.js";
import { connectDesktop } from "../support/desktop.js";

const bin = join(import.meta.dirname, "..", "..", "bin", "taxauth.js");
// Long enough for `taxauth sandbox approve` (a process of its own) to run within them; a pairing
// request expires before its connection idles out.
const TIMERS = { desktopIdleSeconds: 8, pairingSeconds: 5, qrSeconds: 10 };

/** The environment without the settings a sandbox must not take from a real companion. */
function vendorEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of ["TAXAUTH_PORT", "TAXAUTH_DATA_DIR", "TAXAUTH_KEYCHAIN_SERVICE", "TAXAUTH_DATABASE_URL"]) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

/** A `taxauth` command run to its end: exit code and output. */
async function taxauth(args: string[], env: NodeJS.ProcessEnv = vendorEnv()) {
  return promisify(execFile)(process.execPath, [bin, ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

interface Info {
  sandbox: true;
  protocolVersion: number;
  url: string;
  desktopUrl: string;
  port: number;
  dataDir: string;
  keychainService: string;
  captchaAnswer: string;
  declarationPassword: string;
  timers: typeof TIMERS;
  accounts: { loginName: string; password: string; role: string }[];
  units: { tin: string; name: string }[];
}

let child: ChildProcess;
let stdout = "";
let info: Info;
beforeAll(async () => {
  child = spawn(
    process.execPath,
    [
      bin,
      "sandbox",
      "--idle-seconds",
      String(TIMERS.desktopIdleSeconds),
      "--pairing-seconds",
      String(TIMERS.pairingSeconds),
      "--qr-seconds",
      String(TIMERS.qrSeconds),
    ],
    { env: vendorEnv(), stdio: ["ignore", "pipe", "inherit"] },
  );
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  for (const deadline = Date.now() + 60_000; !stdout.includes("\n"); ) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the sandbox did not start: ${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  info = JSON.parse(stdout);
});
afterAll(() => {
  if (child.exitCode === null) child.kill("SIGTERM");
});

const sandbox = () => ({ url: info.url });
const clerk = () => info.accounts.find((account) => account.loginName === "songxiaoming") as Info["accounts"][number];

/** A desktop connection paired through `taxauth sandbox approve`, and its client token. */
async function paired(): Promise<{ client: DesktopClient; clientToken: string }> {
  const client = await connectDesktop(sandbox());
  const approved = client.nextEvent("pair.approved");
  const { code } = await client.request("pair.request", { clientName: "厂商测试客户端" });
  const approval = await taxauth(["sandbox", "approve", code, "--port", String(info.port)]);
  expect(approval).toMatchObject({ code: 0 });
  expect(JSON.parse(approval.stdout)).toEqual({ approved: true, clientName: "厂商测试客户端" });
  return { client, clientToken: (await approved).clientToken };
}

describe("taxauth sandbox", () => {
  it("prints one line of JSON: where it listens, its throwaway data dir and keychain service, accounts, units, timers", () => {
    expect(stdout.split("\n")).toHaveLength(2);
    expect(info).toMatchObject({
      sandbox: true,
      protocolVersion: DESKTOP_PROTOCOL_VERSION,
      url: `http://127.0.0.1:${info.port}`,
      desktopUrl: `ws://127.0.0.1:${info.port}${DESKTOP_PATH}`,
      keychainService: "taxauth-sandbox",
      timers: TIMERS,
    });
    // A free port, not the real companion's, without TAXAUTH_PORT.
    expect(info.port).not.toBe(DEFAULT_COMPANION_PORT);
    expect(basename(info.dataDir)).toMatch(/^taxauth-sandbox-/);
    expect(existsSync(info.dataDir)).toBe(true);
    expect(info.accounts.map((account) => account.loginName)).toContain("songxiaoming");
    expect(info.units).toHaveLength(6);
  });

  it("says it is a sandbox in /healthz and in every captcha, whose answer is the printed one", async () => {
    expect((await api(sandbox(), "/healthz")).body).toMatchObject({ status: "ok", sandbox: true });
    const { client, clientToken } = await paired();
    expect(await client.request("hello", { clientToken })).toMatchObject({ protocolVersion: DESKTOP_PROTOCOL_VERSION });
    const captcha = await client.request("captcha", {});
    expect(captcha.sandbox).toBe(true);
    const { person } = await client.request("login", {
      account: clerk().loginName,
      password: clerk().password,
      captchaId: captcha.captchaId,
      captchaAnswer: info.captchaAnswer,
    });
    expect(person.loginName).toBe("songxiaoming");
    client.close();
  });

  it("has the demo data: a person without a grant enters a unit with the printed 申报密码", async () => {
    const { client } = await paired();
    await client.request("login", { account: "zhaomin", password: clerk().password });
    const unit = info.units[0] as Info["units"][number];
    await client.request("units.add", { tin: unit.tin });
    const entered = await client.request("unit.enter", {
      tin: unit.tin,
      declarationPassword: info.declarationPassword,
    });
    expect(entered).toEqual({ tin: unit.tin, name: unit.name, via: "password" });
    client.close();
  });

  it("confirms a 扫码登录 code with `taxauth sandbox confirm-qr`", async () => {
    const { client } = await paired();
    const keys = await newRequesterKeys();
    const created = await client.request("qr.create", { publicKey: keys.publicKey });
    expect(created.expiresIn).toBe(TIMERS.qrSeconds);
    const confirmed = client.nextEvent("qr.confirmed");
    const confirmation = await taxauth(["sandbox", "confirm-qr", created.qrText, "--port", String(info.port)]);
    expect(confirmation).toMatchObject({ code: 0 });
    expect(JSON.parse(confirmation.stdout)).toEqual({ confirmed: true, clientName: "厂商测试客户端" });
    await confirmed;
    const redeemed = await client.request("qr.redeem", {
      ref: created.ref,
      proof: await keys.proofFor(created.challenge),
    });
    expect(redeemed.person.loginName).toBe("songxiaoming");
    client.close();
  });

  it("lets a pairing request expire after its short time", async () => {
    const client = await connectDesktop(sandbox());
    const expired = client.nextEvent("pair.expired");
    const asked = await client.request("pair.request", { clientName: "无人允许" });
    expect(asked.expiresIn).toBe(TIMERS.pairingSeconds);
    const started = Date.now();
    await expired;
    expect(Date.now() - started).toBeLessThan((TIMERS.pairingSeconds + 2) * 1000);
    client.close();
  });

  it("closes an idle connection (4408) although the client's library sends WebSocket pings; `ping` requests keep one open", async () => {
    const open = (path = DESKTOP_PATH) => {
      const socket = new WebSocket(`${info.url.replace("http", "ws")}${path}`);
      return new Promise<WebSocket>((resolve) => socket.once("open", () => resolve(socket)));
    };
    // As Python `websockets` does on its own (every 20 s there): pings, answered with pongs.
    const pinging = await open();
    let pongs = 0;
    pinging.on("pong", () => {
      pongs += 1;
    });
    const pings = setInterval(() => pinging.ping(), 200);
    const requesting = await open();
    let answered = 0;
    requesting.on("message", () => {
      answered += 1;
    });
    const requests = setInterval(() => requesting.send(JSON.stringify({ id: String(answered), type: "ping" })), 500);
    const closed = new Promise<number>((resolve) => pinging.once("close", (code) => resolve(code)));
    const started = Date.now();
    expect(await closed).toBe(4408);
    clearInterval(pings);
    expect(Date.now() - started).toBeLessThan((TIMERS.desktopIdleSeconds + 1) * 1000);
    expect(pongs).toBeGreaterThan(3);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    clearInterval(requests);
    expect(requesting.readyState).toBe(WebSocket.OPEN);
    expect(answered).toBeGreaterThan(3);
    requesting.close();
  });

  it("removes its throwaway data dir, and its secrets from the keychain, when it stops", async () => {
    expect((await keytar.findCredentials(info.keychainService)).length).toBeGreaterThan(0);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(info.dataDir)).toBe(false);
    expect(await keytar.findCredentials(info.keychainService)).toEqual([]);
  });
});

describe("taxauth sandbox refuses", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "taxauth-sandbox-test-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("the real keychain service", async () => {
    const run = await taxauth(["sandbox"], vendorEnv({ TAXAUTH_KEYCHAIN_SERVICE: "taxauth" }));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("沙箱不能使用本地服务的真实钥匙串服务名（taxauth）");
  });

  it("the real data dir, and a data dir with files in it", async () => {
    const home = tempDir();
    const realDataDir = join(home, "taxauth");
    const real = await taxauth(["sandbox"], vendorEnv({ XDG_DATA_HOME: home, TAXAUTH_DATA_DIR: realDataDir }));
    expect(real.code).toBe(1);
    expect(real.stderr).toContain(`沙箱不能使用本地服务的真实数据目录（${realDataDir}）`);
    expect(existsSync(realDataDir)).toBe(false);

    const used = join(tempDir(), "used");
    mkdirSync(used);
    writeFileSync(join(used, "taxauth.db"), "");
    const full = await taxauth(["sandbox"], vendorEnv({ TAXAUTH_DATA_DIR: used }));
    expect(full.code).toBe(1);
    expect(full.stderr).toContain("沙箱需要一个空的数据目录");
  });

  it("to approve on a companion that is not a sandbox: the demo password is not sent", async () => {
    const real = await startCompanion();
    try {
      const run = await taxauth(["sandbox", "approve", "123456", "--port", String(real.port)]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("不是沙箱");
      expect(real.logs.join("")).toContain("/healthz");
      expect(real.logs.join("")).not.toContain("/api/login");
    } finally {
      await real.close();
    }
  });
});
