import type { FastifyPluginAsync } from "fastify";
import { accountsApi } from "../../shared/api/accounts.js";
import { serve } from "../http/serve.js";
import { probeKeychain } from "../keychain/keychain.js";

/** Liveness with real checks: a query on the database and a keychain write/read/delete. */
const healthRoutes: FastifyPluginAsync = async (app) => {
  serve(app, accountsApi.health, async (_request, reply) => {
    const db = await check(() => app.core.db.prepare("SELECT 1").get());
    const keychain = await check(() => probeKeychain(app.core.keychain));
    const ok = db === "ok" && keychain === "ok";
    return reply.code(ok ? 200 : 503).send({ status: ok ? "ok" : "error", db, keychain });
  });
};

async function check(probe: () => unknown): Promise<string> {
  try {
    await probe();
    return "ok";
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export default healthRoutes;
