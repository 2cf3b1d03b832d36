import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

/** A new, empty database in the run's PostgreSQL cluster (or the cluster at `clusterUrl`); its URL. */
export async function freshPostgresDatabase(clusterUrl: string = inject("postgresUrl")): Promise<string> {
  const url = new URL(clusterUrl);
  const name = `taxauth_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}
