import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { programDir } from "../../companion/demo/postgres-cluster.js";
import type { RunningCompanion } from "./companion.js";

/**
 * Everything the companion's database holds at rest, as someone who copies it would have it: the
 * SQLite file with its WAL (checkpointed), or a pg_dump of the PostgreSQL database.
 */
/** Everything a PostgreSQL database holds, as `pg_dump` writes it (what a stolen backup gives). */
export async function postgresDump(databaseUrl: string): Promise<Buffer> {
  const { stdout } = await promisify(execFile)(join(programDir(), "pg_dump"), [databaseUrl], {
    encoding: "buffer",
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}

export async function storedDatabaseBytes(companion: RunningCompanion): Promise<Buffer> {
  if (companion.databaseUrl) return postgresDump(companion.databaseUrl);
  await companion.app.core.sql.value("PRAGMA wal_checkpoint(TRUNCATE)");
  const files = readdirSync(companion.dataDir).filter((file) => file.startsWith("taxauth.sqlite"));
  return Buffer.concat(files.map((file) => readFileSync(join(companion.dataDir, file))));
}
