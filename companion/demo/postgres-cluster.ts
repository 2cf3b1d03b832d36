import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Debian's postgresql package keeps its programs out of PATH, in /usr/lib/postgresql/<version>/bin. */
export function programDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((version) => join(root, version, "bin")).find((dir) => existsSync(join(dir, "initdb")));
  if (!found)
    throw new Error(
      "PostgreSQL is not installed: run node scripts/bootstrap.mjs --test (it installs Debian's postgresql)",
    );
  return found;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export interface PostgresCluster {
  /** The superuser's URL of the cluster's `postgres` database. */
  url: string;
  /** Stops the server as an outage would (its connections cut), keeping its data. */
  halt(): Promise<void>;
  /** Starts it again on the same port after halt(). */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A private PostgreSQL cluster in a temp dir on a free 127.0.0.1 port, trusting local connections.
 * initdb refuses root, so as root the cluster runs as the `postgres` user the package creates.
 */
export async function startPostgresCluster(options: { durableCommits?: boolean } = {}): Promise<PostgresCluster> {
  const bin = programDir();
  const dir = mkdtempSync(join(tmpdir(), "taxauth-pg-"));
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? await run("id", ["-u", "postgres"]).then(({ stdout }) => Number(stdout.trim())) : undefined;
  if (owner !== undefined) chownSync(dir, owner, owner);
  const as = (program: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(bin, program), ...args]) : run(join(bin, program), args);
  const data = join(dir, "data");
  await as("initdb", ["-D", data, "-U", "taxauth", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-N"]);
  const port = await freePort();
  const start = () =>
    as("pg_ctl", [
      "-D",
      data,
      "-l",
      join(dir, "server.log"),
      "-w",
      "-o",
      // Fast and unsafe for a test run, except where a test cuts the server off mid-write: then a
      // commit is answered only once it is written (the OS itself never crashes here, so no fsync).
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off` +
        (options.durableCommits ? "" : " -c synchronous_commit=off"),
      "start",
    ]);
  await start();
  return {
    url: `postgres://taxauth@127.0.0.1:${port}/postgres`,
    async halt() {
      await as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    },
    async resume() {
      await start();
    },
    async stop() {
      await as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
