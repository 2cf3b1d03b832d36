/**
 * The built native messaging host (dist/taxauth/native-host.js), run as a browser runs it: through
 * the launcher `taxauth service install` writes, the extension's origin as its argument, one framed
 * `{type: "start"}` on stdin. It starts what it was installed to start, waits until something
 * answers at the address, and says so; a second ask finds it running. Needs `npm run build:companion`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeNativeHost } from "../../companion/service/install.js";
import { encodeMessage, messageReader } from "../../companion/service/native-messaging.js";
import { packageFiles } from "../../companion/service/places.js";
import { EXTENSION_ID } from "../../shared/extension-identity.js";

const repoRoot = join(import.meta.dirname, "..", "..");
const files = packageFiles(repoRoot, "linux");
const scratch = mkdtempSync(join(tmpdir(), "taxauth-native-host-"));
const pidFile = join(scratch, "server.pid");

beforeAll(() => {
  if (!existsSync(files.nativeHost)) throw new Error("the companion is not built: run `npm run build:companion` first");
});
afterAll(() => {
  if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, "utf8")), "SIGTERM");
  rmSync(scratch, { recursive: true, force: true });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });

/** Writes the launcher (no browser manifests), the host started with `start`. */
function installHost(name: string, port: number, start: string[]): { launcher: string; log: string } {
  const target = { hostLauncher: join(scratch, `${name}.sh`), hosts: [], logDir: join(scratch, `${name}-logs`) };
  writeNativeHost(
    target,
    {
      platform: "linux",
      node: process.execPath,
      nativeHost: files.nativeHost,
      env: { TAXAUTH_PORT: String(port) },
      start,
    },
    [EXTENSION_ID],
    () => null,
  );
  return { launcher: target.hostLauncher, log: join(target.logDir, "native-host.log") };
}

/** One framed message in, every framed answer out, as Chrome's runtime.sendNativeMessage does it. */
async function ask(launcher: string, message: unknown): Promise<{ answers: unknown[]; code: number | null }> {
  const host = spawn(launcher, [`chrome-extension://${EXTENSION_ID}/`], { stdio: ["pipe", "pipe", "inherit"] });
  const reader = messageReader();
  const answers: unknown[] = [];
  host.stdout.on("data", (chunk: Buffer) => answers.push(...reader.push(chunk)));
  host.stdin.end(encodeMessage(message));
  const code = await new Promise<number | null>((resolve) => host.on("exit", resolve));
  return { answers, code };
}

describe("the native messaging host", () => {
  it("starts the companion, answers once it listens, then finds it running", async () => {
    const port = await freePort();
    // Stands in for the companion: it listens on the port, and outlives the host (its own session).
    const server = join(scratch, "server.mjs");
    writeFileSync(
      server,
      `import { writeFileSync } from "node:fs"; import { createServer } from "node:http";
       writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
       setTimeout(() => createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1"), 500);`,
    );
    const { launcher, log } = installHost("ok", port, [process.execPath, server]);
    const url = `http://127.0.0.1:${port}`;

    expect(await ask(launcher, { type: "start" })).toEqual({ answers: [{ ok: true, url, started: true }], code: 0 });
    expect(readFileSync(log, "utf8")).toMatch(/started pid=\d+/);
    expect(await ask(launcher, { type: "start" })).toEqual({ answers: [{ ok: true, url, started: false }], code: 0 });
  });

  it("says so, with the log's place, when the start fails; refuses anything but a start", async () => {
    const port = await freePort();
    const { launcher, log } = installHost("fails", port, [process.execPath, "-e", "process.exit(3)"]);
    const failed = await ask(launcher, { type: "start" });
    expect(failed.answers).toEqual([{ ok: false, message: expect.stringContaining(log) }]);
    expect(String((failed.answers[0] as { message: string }).message)).toContain("启动程序退出，退出码 3。");

    const other = await ask(launcher, { type: "stop" });
    expect(other.answers).toEqual([{ ok: false, message: "本地服务启动程序只接受启动请求" }]);
  });
});
