import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A private PostgreSQL cluster for the tests that run on both stores.
    globalSetup: ["test/support/postgres-setup.ts"],
    // Integration and e2e tests start real companions and browsers: keep them off each other's toes.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
