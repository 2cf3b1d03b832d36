import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.js";
import type { CompanionConfig } from "./config.js";

/** Starts the companion on 127.0.0.1 and stops it gracefully on SIGINT/SIGTERM. */
export async function startServer(config: CompanionConfig): Promise<FastifyInstance> {
  const app = await buildApp(config);
  await app.listen({ host: "127.0.0.1", port: config.port });
  const address = app.server.address();
  const port = address && typeof address === "object" ? address.port : config.port;
  process.stdout.write(`taxauth companion listening on http://127.0.0.1:${port} (data: ${config.dataDir})\n`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  return app;
}
