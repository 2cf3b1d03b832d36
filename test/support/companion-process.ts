import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { printedBy } from "./child-output.js";
import { api, TEST_KEYCHAIN_SERVICE } from "./companion.js";

const repoRoot = join(import.meta.dirname, "..", "..");
const bin = join(repoRoot, "bin", "taxauth.js");
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface CompanionProcessOptions {
  /** The office's PostgreSQL database. */
  databaseUrl: string;
  /**
   * `taxauth` commands run one after another before `start`, in the same private keyring session
   * and with the same environment: what a desktop does before its companion first starts (joining
   * the office, say). A command that fails stops the companion from starting.
   */
  before?: string[][];
  /** More environment for every command. */
  env?: Record<string, string>;
}

/** A companion in a process of its own, as on another desktop of the office. */
export interface CompanionProcess {
  url: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  /** What the commands printed, stdout and stderr together. */
  output(): string;
  /** SIGTERM, as a service manager stops it; resolves once it and its keyring session have ended. */
  close(): Promise<void>;
}

/** A shell word that stands for `text` exactly. */
const quoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * The built `taxauth` command (npm run build:companion) on its own data dir and a free port, with
 * its own OS keychain: a private D-Bus and gnome-keyring (with-keyring.sh --isolated), as another
 * desktop's companion has its own. Resolves once /healthz answers ok.
 */
export async function startCompanionProcess(options: CompanionProcessOptions): Promise<CompanionProcess> {
  if (!existsSync(join(repoRoot, "dist", "taxauth", "main.js"))) {
    throw new Error("the companion is not built: run `npm run build:companion` first");
  }
  const dataDir = mkdtempSync(join(tmpdir(), "taxauth-process-"));
  const taxauth = (args: string[]) => [process.execPath, bin, ...args].map(quoted).join(" ");
  // `exec`: the companion takes the shell's place, so the keyring script's SIGTERM reaches it.
  const script = ["set -e", ...(options.before ?? []).map(taxauth), `exec ${taxauth(["start"])}`].join("\n");
  const child = spawn("bash", [join(repoRoot, "scripts", "with-keyring.sh"), "--isolated", "bash", "-c", script], {
    env: {
      ...process.env,
      TAXAUTH_DATA_DIR: dataDir,
      TAXAUTH_DATABASE_URL: options.databaseUrl,
      TAXAUTH_PORT: "0",
      TAXAUTH_KEYCHAIN_SERVICE: TEST_KEYCHAIN_SERVICE,
      TAXAUTH_LOG_LEVEL: "warn",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // A group of its own: should it not stop in time, the keyring daemons go with it.
    detached: true,
  });
  const output = printedBy(child);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const close = async () => {
    await stop(child, exited);
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const port = await listeningPort(output, exited);
    const url = `http://127.0.0.1:${port}`;
    await healthy(url);
    return { url, port, dataDir, databaseUrl: options.databaseUrl, output, close };
  } catch (error) {
    await close();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output()}`);
  }
}

/** The port from the line `taxauth start` prints once it listens. */
async function listeningPort(output: () => string, exited: Promise<number | null>): Promise<number> {
  let code: number | null | undefined;
  void exited.then((exitCode) => {
    code = exitCode;
  });
  for (const deadline = Date.now() + READY_TIMEOUT_MS; Date.now() < deadline; ) {
    const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output())?.[1];
    if (port) return Number(port);
    if (code !== undefined) throw new Error(`the companion exited (${code}) before listening`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the companion did not listen within ${READY_TIMEOUT_MS} ms`);
}

async function healthy(url: string): Promise<void> {
  let last = "";
  for (const deadline = Date.now() + READY_TIMEOUT_MS; Date.now() < deadline; ) {
    // As the extension asks: HTTP without our Origin is refused (desktop programs use the socket).
    const answer = await api({ url }, "/healthz").then(
      ({ status, body }) => `${status} ${JSON.stringify(body)}`,
      (error: unknown) => String(error),
    );
    if (answer.startsWith("200 ")) return;
    last = answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/healthz did not answer ok: ${last}`);
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => process.kill(-(child.pid as number), "SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
