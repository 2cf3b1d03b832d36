import { spawn } from "node:child_process";
import { appendFileSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { StartAnswer } from "../../shared/native-host.js";
import { companionAnswers } from "./companion-answers.js";
import { encodeMessage, messageReader } from "./native-messaging.js";

/** How long a start may take: the keyring wrapper, a first start creating the database. */
const START_TIMEOUT_MS = 30_000;
const POLL_MS = 200;

/** What the host was installed with (the launcher script's environment, see service-files.ts). */
export interface NativeHostSetup {
  /** Where the companion listens. */
  url: string;
  /** What starts it: the service manager (systemctl --user start …), or the companion itself. */
  start: string[];
  /** The host's own log, which also takes the output of what it starts. */
  log: string;
}

export const START_COMMAND_VARIABLE = "TAXAUTH_NATIVE_HOST_START";
export const HOST_LOG_VARIABLE = "TAXAUTH_NATIVE_HOST_LOG";

function logLine(log: string, line: string): void {
  mkdirSync(dirname(log), { recursive: true, mode: 0o700 });
  appendFileSync(log, `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
}

/**
 * Starts the companion unless it answers, and waits until it does. What starts it runs on its own
 * (a session of its own, output to the log): the browser ends the host once it has answered, and
 * the companion must outlive it.
 */
export async function ensureCompanion(setup: NativeHostSetup): Promise<StartAnswer> {
  if (await companionAnswers(setup.url)) return { ok: true, url: setup.url, started: false };
  logLine(setup.log, `starting: ${setup.start.join(" ")}`);
  const output = openSync(setup.log, "a", 0o600);
  let failed: string | undefined;
  try {
    const [command, ...args] = setup.start;
    const child = spawn(command as string, args, {
      detached: true,
      stdio: ["ignore", output, output],
      windowsHide: true,
    });
    child.on("error", (error) => {
      failed = `无法运行（${error.message}）`;
    });
    child.on("exit", (code, signal) => {
      if (code !== 0) failed = code === null ? `启动程序被 ${signal} 结束` : `启动程序退出，退出码 ${code}`;
    });
    child.unref();
    logLine(setup.log, `started pid=${child.pid}`);
  } finally {
    closeSync(output);
  }
  for (const deadline = Date.now() + START_TIMEOUT_MS; Date.now() < deadline; ) {
    if (await companionAnswers(setup.url)) return { ok: true, url: setup.url, started: true };
    if (failed) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const why = failed ?? `${START_TIMEOUT_MS / 1000} 秒内 ${setup.url} 没有应答`;
  logLine(setup.log, `not answering at ${setup.url}: ${why}`);
  return { ok: false, message: `${why}。详情见日志 ${setup.log}` };
}

/**
 * The host's whole life: each `{type: "start"}` on stdin is answered on stdout; it ends with stdin
 * (the browser closes it after the answer to runtime.sendNativeMessage).
 */
export function runNativeHost(setup: NativeHostSetup, input: Readable, output: Writable): Promise<void> {
  const reader = messageReader();
  let queue = Promise.resolve();
  const answer = async (message: unknown) => {
    const start = typeof message === "object" && message !== null && (message as { type?: unknown }).type === "start";
    const reply: StartAnswer = start
      ? await ensureCompanion(setup)
      : { ok: false, message: "本地服务启动程序只接受启动请求" };
    output.write(encodeMessage(reply));
  };
  return new Promise((resolve, reject) => {
    input.on("data", (chunk: Buffer) => {
      try {
        for (const message of reader.push(chunk)) queue = queue.then(() => answer(message));
      } catch (error) {
        reject(error);
      }
    });
    input.on("end", () => void queue.then(resolve, reject));
  });
}

/** The setup from the launcher's environment. */
export function nativeHostSetup(env: NodeJS.ProcessEnv, url: string): NativeHostSetup {
  const start = JSON.parse(env[START_COMMAND_VARIABLE] ?? "null") as unknown;
  const log = env[HOST_LOG_VARIABLE];
  if (!Array.isArray(start) || start.length === 0 || !start.every((word) => typeof word === "string") || !log) {
    throw new Error(`${START_COMMAND_VARIABLE} / ${HOST_LOG_VARIABLE} missing: reinstall with taxauth service install`);
  }
  return { url, start, log };
}
