import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  api,
  KNOWN_CAPTCHA_ANSWER,
  type RunningCompanion,
  runCli,
  startCompanion,
  storeOf,
  TEST_KEYCHAIN_SERVICE,
} from "../support/companion.js";
import { newPerson, registerPerson, solvedCaptcha } from "../support/people.js";

const bin = join(import.meta.dirname, "..", "..", "bin", "taxauth.js");
let companion: RunningCompanion | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await companion?.close();
  companion = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "taxauth-cli-"));
  dirs.push(dir);
  return dir;
}

/** Runs `taxauth start` as a real process; resolves with its first stdout line. */
function startProcess(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [bin, "start"], { env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe("taxauth CLI", () => {
  it("start listens on TAXAUTH_PORT, prints one line, and stops cleanly on SIGTERM", async () => {
    const dataDir = tempDir();
    const port = 17_900 + Math.floor(Math.random() * 90);
    const run = startProcess({
      TAXAUTH_PORT: String(port),
      TAXAUTH_DATA_DIR: dataDir,
      TAXAUTH_KEYCHAIN_SERVICE: TEST_KEYCHAIN_SERVICE,
      TAXAUTH_LOG_LEVEL: "warn",
    });
    const deadline = Date.now() + 15_000;
    while (!run.output().stdout.includes("\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(run.output().stdout).toBe(`taxauth companion listening on http://127.0.0.1:${port} (data: ${dataDir})\n`);
    expect((await api({ url: `http://127.0.0.1:${port}` }, "/healthz")).body.status).toBe("ok");
    // The built companion draws its captcha (fonts and image code load as installed, not as the tests load them).
    const captcha = await api({ url: `http://127.0.0.1:${port}` }, "/api/captcha");
    expect(captcha.status).toBe(200);
    expect(captcha.body.image).toMatch(/^data:image\/png;base64,/);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("refuses to start without a reachable keychain, and says how to fix it", async () => {
    const run = startProcess({
      TAXAUTH_DATA_DIR: tempDir(),
      TAXAUTH_PORT: "0",
      // Pretend the wrapper already ran, and point at a bus that does not exist.
      TAXAUTH_KEYRING: "system",
      DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/bus",
    });
    expect(await run.exited).toBe(3);
    expect(run.output().stderr).toContain("无法访问系统钥匙串");
    expect(run.output().stderr).toContain("How to fix");
    expect(run.output().stdout).not.toContain("listening");
  });

  it("doctor checks the database, the keychain and the port", async () => {
    companion = await startCompanion();
    const out = await runCli(["doctor"], { ...storeOf(companion), port: companion.port });
    expect(out).toContain(companion.databaseUrl ? "✔ 数据库 (PostgreSQL)" : "✔ 数据库 (SQLite)");
    expect(out).toContain("✔ 系统钥匙串 (OS keychain)");
    if (companion.databaseUrl) expect(out).toContain("✔ 办公室: 本机「测试电脑」是办公室");
    expect(out).toContain(`✔ 端口 127.0.0.1:${companion.port}: taxauth 本地服务正在运行`);
  });

  it("hall sms-outbox shows the messages sent to a phone", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion, newPerson());
    const out = await runCli(["hall", "sms-outbox", "--phone", person.phone], storeOf(companion));
    expect(out).toMatch(new RegExp(`${person.phone}\\t【个人所得税】您正在进行注册，验证码 \\d{6}`));
    expect(await runCli(["hall", "sms-outbox", "--phone", "13000000000"], storeOf(companion))).toBe("短信发件箱为空\n");
  });

  it("hall code issue refuses a bad document number with the rule's message", async () => {
    const dataDir = tempDir();
    await expect(
      runCli(
        ["hall", "code", "issue", "--doc-type", "居民身份证", "--doc-number", "110101199001011231", "--name", "宋"],
        { dataDir },
      ),
    ).rejects.toMatchObject({ stderr: expect.stringContaining("校验码错误") });
  });

  it("hall unlock lifts a password lock", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion);
    for (let i = 0; i < 5; i++) {
      const captcha = i > 0 ? await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER) : {};
      await api(companion, "/api/login", { body: { account: person.loginName, password: "Wrong#Pass1", ...captcha } });
    }
    expect(
      (await api(companion, "/api/login", { body: { account: person.loginName, password: person.password } })).body
        .code,
    ).toBe("ACCOUNT_LOCKED");
    // Named by another identifier: the account's lock and every identifier's counter are lifted.
    expect(await runCli(["hall", "unlock", "--account", person.phone], storeOf(companion))).toContain("已解除锁定");
    expect(
      (await api(companion, "/api/login", { body: { account: person.loginName, password: person.password } })).status,
    ).toBe(200);
  });
});
