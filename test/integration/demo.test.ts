import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_FILE_NAME } from "../../companion/db/database.js";
import { printedBy } from "../support/child-output.js";
import { newPerson, verifyRegistrationCode } from "../support/people.js";

/**
 * `taxauth demo` as a new user runs it on a machine without a desktop session: in one terminal,
 * with the hall CLI in another. The demo starts its own keyring (scripts/with-keyring.sh), so the
 * CLI reaches the demo's data only with the environment the demo prints.
 */

const repoRoot = join(import.meta.dirname, "..", "..");
const bin = join(repoRoot, "bin", "taxauth.js");
const scratch: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};

/**
 * A terminal of its own: none of the test run's keyring session, nor of its taxauth settings, and
 * a keyring directory of its own (never the user's). A stray TAXAUTH_DATABASE_URL the demo must not use.
 */
function terminalEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("TAXAUTH_") && name !== "DBUS_SESSION_BUS_ADDRESS"),
  );
  return {
    ...env,
    XDG_DATA_HOME: tempDir("taxauth-demo-home-"),
    TAXAUTH_DATABASE_URL: "postgres://127.0.0.1:1/not-the-demo",
    TAXAUTH_LOG_LEVEL: "warn",
  };
}

/** The terminal's environment after the lines the demo printed (`export NAME='value'`, `unset NAME`). */
function withPrinted(env: NodeJS.ProcessEnv, lines: string[]): NodeJS.ProcessEnv {
  const next = { ...env };
  for (const line of lines) {
    const exported = /^export ([A-Z_]+)='(.*)'$/.exec(line);
    const unset = /^unset ([A-Z_]+)$/.exec(line);
    if (exported) next[exported[1] as string] = (exported[2] as string).replaceAll(`'\\''`, "'");
    else if (unset) delete next[unset[1] as string];
    else throw new Error(`not a shell line: ${line}`);
  }
  return next;
}

interface Demo {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startDemo(env: NodeJS.ProcessEnv): Demo {
  // A group of its own, so that a demo that does not stop takes its keyring daemons with it.
  const child = spawn(process.execPath, [bin, "demo"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: printedBy(child), exited };
}

async function waitFor(demo: Demo, pattern: RegExp): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    if (pattern.test(demo.output())) return;
    if (demo.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the demo did not print ${pattern}:\n${demo.output()}`);
}

async function stop(demo: Demo): Promise<number | null> {
  if (demo.child.exitCode !== null) return demo.child.exitCode;
  demo.child.kill("SIGTERM");
  const timer = setTimeout(() => process.kill(-(demo.child.pid as number), "SIGKILL"), 15_000);
  const code = await demo.exited;
  clearTimeout(timer);
  return code;
}

beforeAll(() => {
  if (!existsSync(join(repoRoot, "dist", "taxauth", "main.js"))) {
    throw new Error("the companion is not built: run `npm run build:companion` first");
  }
});
afterAll(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("taxauth demo beside the hall CLI", () => {
  it("uses $TAXAUTH_DATA_DIR and $TAXAUTH_KEYCHAIN_SERVICE, and prints what the hall CLI needs: its code is accepted", async () => {
    const dataDir = join(tempDir("taxauth-demo-data-"), "demo");
    const demo = startDemo({
      ...terminalEnv(),
      TAXAUTH_DATA_DIR: dataDir,
      TAXAUTH_KEYCHAIN_SERVICE: "taxauth-test-demo",
      TAXAUTH_PORT: "0",
    });
    try {
      await waitFor(demo, /按 Ctrl-C 停止演示/);
      const output = demo.output();
      expect(output).toContain("taxauth 演示数据已载入（停止后保留）");
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+) \(data: (.*)\)/.exec(output);
      expect(port?.[2]).toBe(dataDir);
      const printed = output
        .split("\n")
        .filter((line) => /^ {2}(export|unset) /.test(line))
        .map((line) => line.trim());
      expect(printed).toEqual([
        `export TAXAUTH_DATA_DIR='${dataDir}'`,
        "export TAXAUTH_KEYCHAIN_SERVICE='taxauth-test-demo'",
        "unset TAXAUTH_DATABASE_URL",
        expect.stringMatching(/^export DBUS_SESSION_BUS_ADDRESS='unix:/),
      ]);

      // The hall officer, in another terminal set up as printed, issues a code for a newcomer…
      const person = newPerson({ name: "宋" });
      const { stdout: slip } = await promisify(execFile)(
        process.execPath,
        [bin, "hall", "code", "issue", "--doc-type", person.docType, "--doc-number", person.docNumber, "--name", "宋"],
        { env: withPrinted(terminalEnv(), printed) },
      );
      const code = /您的注册码为 (\S+) ，/.exec(slip)?.[1];
      expect(code, slip).toMatch(/^[0-9A-Za-z]{6}$/);
      // …which the demo's register page accepts.
      const companion = { url: `http://127.0.0.1:${port?.[1]}` };
      const verified = await verifyRegistrationCode(companion, person, code as string);
      expect(verified.status, JSON.stringify(verified.body)).toBe(200);
      expect(verified.body.registrationTicket).toEqual(expect.any(String));
    } finally {
      expect(await stop(demo)).toBe(0);
    }
    // A data dir of the person's choosing stays; a second demo does not mix its data into it.
    expect(readdirSync(dataDir)).toContain(DB_FILE_NAME);
    const again = startDemo({ ...terminalEnv(), TAXAUTH_DATA_DIR: dataDir, TAXAUTH_PORT: "0" });
    expect(await again.exited).toBe(1);
    expect(again.output()).toContain("演示需要一个空的数据目录");
  });
});
