import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.js";
import type { CompanionConfig } from "./config.js";

export interface ServerHooks {
  /** Says where it listens (by default a line on stdout). */
  announce?(port: number): void;
  /** Once it has stopped, before the process exits. */
  stopped?(): Promise<void>;
}

/** Starts the companion on 127.0.0.1 and stops it gracefully on SIGINT/SIGTERM. */
export async function startServer(
  config: CompanionConfig,
  {
    announce = (port) => {
      process.stdout.write(`taxauth companion listening on http://127.0.0.1:${port} (data: ${config.dataDir})\n`);
    },
    stopped = async () => {},
  }: ServerHooks = {},
): Promise<FastifyInstance> {
  const app = await buildApp(config);
  await app.listen({ host: "127.0.0.1", port: config.port });
  const address = app.server.address();
  announce(address && typeof address === "object" ? address.port : config.port);

  let closing = false;
  const shutdown = (signal: string, exitCode = 0) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    app
      .close()
      .then(stopped)
      .then(
        () => process.exit(exitCode),
        () => process.exit(1),
      );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  watchMembership(app, () => shutdown("removed from the office", 1));
  return app;
}

const MEMBERSHIP_CHECK_MS = 60_000;

/**
 * In an office, marks this machine seen once a minute (`taxauth office members`), and stops the
 * companion once the office has removed it.
 */
function watchMembership(app: FastifyInstance, stop: () => void): void {
  const { office, membership } = app.core;
  if (!office || !membership) return;
  const timer = setInterval(() => {
    office.touch(membership.machineId).then(
      (member) => {
        if (member) return;
        app.log.error("本机已被移出办公室，本地服务停止");
        stop();
      },
      (error: unknown) => app.log.warn({ err: error }, "could not mark this machine seen"),
    );
  }, MEMBERSHIP_CHECK_MS);
  timer.unref();
  app.server.once("close", () => clearInterval(timer));
}
