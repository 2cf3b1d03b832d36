import type { FastifyPluginAsync } from "fastify";
import { accountsApi } from "../../shared/api/accounts.js";
import { PROTOCOL_VERSION } from "../../shared/protocol-version.js";
import type { Core } from "../core.js";
import { serve } from "../http/serve.js";
import { probeKeychain } from "../keychain/keychain.js";
import { COMPANION_VERSION } from "../version.js";

/** What these routes use of the companion. */
export type HealthRoutesDeps = Pick<Core, "sql" | "keychain"> & {
  /** A sandbox (`taxauth sandbox`) says so in /healthz. */
  sandbox: boolean;
};

/**
 * /healthz: liveness with real checks, a query on the database and a keychain write/read/delete.
 * It also says which companion answers: its version and protocol version, which the extension checks.
 * /livez: only that the companion answers — cheap enough for the pages that ask every few seconds.
 */
const healthRoutes: FastifyPluginAsync<HealthRoutesDeps> = async (app, core) => {
  serve(app, accountsApi.alive, async () => undefined);
  serve(app, accountsApi.health, async (_request, reply) => {
    const db = await check(() => core.sql.value("SELECT 1"));
    const keychain = await check(() => probeKeychain(core.keychain));
    const ok = db === "ok" && keychain === "ok";
    const sandbox = core.sandbox && { sandbox: true as const };
    return reply.code(ok ? 200 : 503).send({
      status: ok ? "ok" : "error",
      version: COMPANION_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      db,
      keychain,
      ...sandbox,
    });
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
