import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Integration and e2e tests start real companions and browsers: keep them off each other's toes.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A private PostgreSQL cluster for the run: the integration tests run on both stores.
    globalSetup: ["test/support/postgres-setup.ts"],
    projects: [
      // test/office: office mode, which exists only on a shared PostgreSQL.
      { extends: true, test: { name: "sqlite", include: ["test/**/*.test.ts"], exclude: ["test/office/**"] } },
      {
        extends: true,
        test: {
          name: "postgres",
          include: ["test/integration/**/*.test.ts", "test/office/**/*.test.ts"],
          // They run their checks on both engines themselves (or use no database).
          exclude: [
            "test/integration/sql-transactions.test.ts",
            "test/integration/office-bus.test.ts",
            "test/integration/package.test.ts",
          ],
          env: { TAXAUTH_TEST_STORE: "postgres" },
        },
      },
    ],
  },
});
