import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import WebSocket from "ws";
import { EXTENSION_ORIGIN } from "../shared/extension-identity.js";

export const repoRoot = join(import.meta.dirname, "..", "..");
export const BENCH_KEYCHAIN_SERVICE = "taxauth-bench";
/** The keychain of the office's second desktop (bench/office.ts): another machine's keychain. */
export const BENCH_SECOND_KEYCHAIN_SERVICE = "taxauth-bench-b";

/** One measured figure, as written to results.json. budget null: §8 sets none for it (informational). */
export interface BudgetResult {
  name: string;
  value: number;
  unit: string;
  floor: number;
  ratio: number;
  budget: number | null;
  withinBudget: boolean | null;
  p95?: number;
  floorP95?: number;
  samples?: number;
  note?: string;
}

// Everything started by the bench, so run.ts can clean up even after an error.
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const stops = new Set<() => Promise<void>>();

/** Something else the bench started (a PostgreSQL cluster): stopped by cleanup() unless stopped before. */
export function stopAtCleanup(stop: () => Promise<void>): () => Promise<void> {
  const once = async () => {
    if (!stops.delete(once)) return;
    await stop();
  };
  stops.add(once);
  return once;
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = address && typeof address === "object" ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Server {
  child: ChildProcess;
  pid: number;
  url: string;
  /** performance.now() just before spawn(). */
  spawnedAt: number;
  /** ms from spawn to the listening line on stdout. */
  listeningMs: number;
  /** All output so far (kept draining so the pipe never blocks the server). */
  output: () => string;
}

/** Spawns `node args…` and resolves when stdout prints `… listening on http://…`. */
export async function spawnServer(args: string[], env: Record<string, string>, timeoutMs = 10_000): Promise<Server> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env } });
  children.add(child);
  let output = "";
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  return new Promise<Server>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`node ${args.join(" ")}: ${why}\n${output}`));
    };
    const timer = setTimeout(() => fail(`not listening after ${timeoutMs} ms`), timeoutMs);
    child.once("exit", (code, signal) => {
      children.delete(child);
      fail(`exited (${code ?? signal}) before listening`);
    });
    child.stdout?.on("data", (chunk) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (settled || !match) return;
      const listeningMs = performance.now() - spawnedAt;
      settled = true;
      clearTimeout(timer);
      resolve({ child, pid: child.pid!, url: match[1]!, spawnedAt, listeningMs, output: () => output });
    });
  });
}

/** Where a companion keeps its data, and whose keychain it uses. */
export interface Store {
  dataDir: string;
  /** An office's PostgreSQL database instead of the SQLite file in the data dir. */
  databaseUrl?: string;
  /** Another machine's keychain; the bench's own unless given. */
  keychainService?: string;
}

export function companionEnv(store: Store, port: number): Record<string, string> {
  return {
    TAXAUTH_PORT: String(port),
    TAXAUTH_DATA_DIR: store.dataDir,
    ...(store.databaseUrl === undefined ? {} : { TAXAUTH_DATABASE_URL: store.databaseUrl }),
    TAXAUTH_KEYCHAIN_SERVICE: store.keychainService ?? BENCH_KEYCHAIN_SERVICE,
    TAXAUTH_LOG_LEVEL: "warn",
  };
}

/** The built `taxauth` CLI on a companion's store (env as companionEnv gives it); its stdout. */
export async function taxauth(env: Record<string, string>, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot, "bin", "taxauth.js"), ...args], {
    env: { ...process.env, ...env },
  });
  return stdout;
}

export interface Companion extends Server {
  dataDir: string;
  env: Record<string, string>;
}

export interface CompanionOptions extends Partial<Store> {
  /** `taxauth office join --code …` first, with this code: a new desktop joining the office. */
  officeJoinCode?: string;
}

/**
 * `node bin/taxauth.js start` on a free port (with a fresh data dir unless given one), run
 * in-process (no re-wrap); on the SQLite file in its data dir, or on an office's database.
 */
export async function startCompanion(options: CompanionOptions = {}): Promise<Companion> {
  const dataDir = options.dataDir ?? tempDir("taxauth-bench-");
  const env = companionEnv({ ...options, dataDir }, await freePort());
  if (options.officeJoinCode !== undefined) {
    await taxauth(env, ["office", "join", "--code", options.officeJoinCode, "--name", `bench ${env.TAXAUTH_PORT}`]);
  }
  const server = await spawnServer([join(repoRoot, "bin", "taxauth.js"), "start"], env);
  // bin/taxauth.js re-wraps itself in with-keyring.sh unless TAXAUTH_KEYRING is set; then the pid
  // we time and whose RSS we read would be a bash, not the companion.
  const extra = childPids(server.pid);
  if (extra.length > 0)
    throw new Error(`companion pid ${server.pid} has child processes ${extra}: it re-wrapped itself`);
  return { ...server, dataDir, env };
}

/** The floor: bare Node + minimal Fastify (dist/bench/floor-server.js). */
export async function startFloor(): Promise<Server> {
  return spawnServer([join(import.meta.dirname, "floor-server.js")], { PORT: String(await freePort()) });
}

/** Resolves at the first 200 from url, polling; returns performance.now() at that moment. */
export async function until200(url: string, timeoutMs = 5000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { status, body } = await request(url).catch((error: Error) => ({ status: 0, body: error.message }));
    if (status === 200) return performance.now();
    if (performance.now() > deadline) throw new Error(`${url}: ${status} ${JSON.stringify(body)}`);
    await sleep(5);
  }
}

/** SIGTERM, then SIGKILL if the process has not exited within 3 s. */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

export async function cleanup(): Promise<void> {
  await Promise.all([...children].map(stopServer));
  await Promise.all([...stops].map((stop) => stop()));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** fetch as the extension does: our Origin, JSON in and out. The same headers go to the floor. */
export async function request(
  url: string,
  init: { body?: unknown; token?: string; raw?: boolean } = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: init.body === undefined ? "GET" : "POST",
    headers: {
      origin: EXTENSION_ORIGIN,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  // raw: a file answer (the CSV export), kept as text.
  return { status: response.status, body: init.raw ? text : text ? JSON.parse(text) : null };
}

/** Times n sequential calls of fn (after `warmup` untimed ones); returns the durations in ms. */
export async function timeSequential(n: number, fn: () => Promise<void>, warmup = 5): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** VmRSS of a process, in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const kb = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m)?.[1];
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) / 1024;
}

/** Child pids of a process (its main thread), from /proc. */
export function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
  return text ? text.split(/\s+/).map(Number) : [];
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A WebSocket connection as a desktop program opens it: no Origin, no compression. */
export async function openSocket(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  socket.on("error", () => {});
  return socket;
}

export async function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return;
  const closed = new Promise((resolve) => socket.once("close", resolve));
  socket.close();
  await closed;
}
