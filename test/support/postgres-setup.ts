import type { TestProject } from "vitest/node";
import { startPostgresCluster } from "../../companion/demo/postgres-cluster.js";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/** One private PostgreSQL cluster for the whole run; each test takes a fresh database in it. */
export default async function setup(project: TestProject) {
  const cluster = await startPostgresCluster();
  project.provide("postgresUrl", cluster.url);
  return () => cluster.stop();
}
