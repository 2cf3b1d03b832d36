import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors, ResponseSerializationError } from "fastify-type-provider-zod";
import { MAX_FRAME_BYTES } from "../shared/desktop/protocol.js";
import { ERROR_MESSAGES } from "../shared/errors.js";
import accountRoutes from "./accounts/routes.js";
import appDownloadRoutes from "./app-download/routes.js";
import browserRoutes from "./browsers/routes.js";
import captchaRoutes from "./captcha/routes.js";
import type { CompanionConfig } from "./config.js";
import { type Core, openCore } from "./core.js";
import { secureDataDir } from "./data-dir.js";
import declarationRoutes from "./declaration/routes.js";
import desktopPairingRoutes from "./desktop/routes.js";
import desktopRoutes from "./desktop/socket.js";
import { AppError, validationFailed } from "./errors.js";
import eventRoutes from "./events/routes.js";
import grantRequestRoutes from "./grant-requests/routes.js";
import grantRoutes from "./grants/routes.js";
import healthRoutes from "./health/routes.js";
import { clientErrorHandler, frameworkRefusal, sendRefusal } from "./http/refusals.js";
import sessionAuth from "./http/session-auth.js";
import { logFile, loggerOptions } from "./logger.js";
import portraitRoutes from "./portrait/routes.js";
import qrLoginRoutes from "./qr-login/routes.js";
import requestGuard from "./security/guard.js";

declare module "fastify" {
  interface FastifyInstance {
    core: Core;
  }
}

/** The companion's HTTP app, not yet listening. Tests call this with their own config. */
export async function buildApp(config: CompanionConfig): Promise<FastifyInstance> {
  // Before anything writes there (the database, the log file).
  const looseDataDirMode = secureDataDir(config.dataDir);
  const core = await openCore(config);
  const app = Fastify({
    logger: { ...loggerOptions(config.logLevel), stream: config.logStream ?? logFile(config.dataDir) },
    bodyLimit: 64 * 1024,
    // Shutting down must not wait for idle keep-alive or half-open connections.
    forceCloseConnections: true,
    // Only our own Host is valid anyway; keep ids short and non-sequential.
    genReqId: () => Math.random().toString(36).slice(2, 10),
    // A request without Host reaches the guard, which refuses it in our words (Node would answer a bare 400).
    http: { requireHostHeader: false },
    clientErrorHandler,
    // A URL the router cannot read (a bad percent-encoding) is refused like any other request.
    frameworkErrors: (error, request, reply) =>
      sendRefusal(request, reply, frameworkRefusal(error) ?? new AppError("INTERNAL")),
  });
  // The API speaks JSON only: a text/plain body is refused (415), not handed to a route as a string.
  app.removeContentTypeParser("text/plain");
  if (looseDataDirMode !== undefined) {
    app.log.warn(
      { dataDir: config.dataDir, mode: looseDataDirMode.toString(8) },
      "the data dir was open to other users: now 0700",
    );
  }
  app.decorate("core", core);
  // Changes made by other processes (the hall CLI, the office's other companions) reach this
  // companion's sessions: polled, and at once at their notices.
  core.unitChanges.start();
  await core.bus.start();
  app.addHook("onClose", async () => core.close());

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof AppError) return reply.code(error.status).send(error.toBody());
    if (hasZodFastifySchemaValidationErrors(error)) {
      const refusal = validationFailed(
        error.validation.map((issue) => ({
          path: issue.instancePath.slice(1).replaceAll("/", "."),
          message: issue.message ?? "",
        })),
      );
      return reply.code(refusal.status).send(refusal.toBody());
    }
    if (error instanceof ResponseSerializationError) {
      request.log.error({ err: error.cause, url: error.url }, "answer does not match its schema");
      return reply.code(500).send({ code: "INTERNAL", message: ERROR_MESSAGES.INTERNAL });
    }
    // Fastify's own refusals (bad JSON, body too large, wrong content type).
    const refusal = frameworkRefusal(error as { code?: string; statusCode?: number });
    if (refusal) return reply.code(refusal.status).send(refusal.toBody());
    request.log.error({ err: error }, "unhandled error");
    return reply.code(500).send({ code: "INTERNAL", message: ERROR_MESSAGES.INTERNAL });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ code: "NOT_FOUND", message: ERROR_MESSAGES.NOT_FOUND }),
  );

  // WebSocket support first: its hooks must see every upgrade, refused ones included, to drop the socket.
  await app.register(websocket, {
    options: { maxPayload: MAX_FRAME_BYTES },
    // A client breaking the WebSocket protocol (oversize frame, bad UTF-8…) is the client's fault:
    // note it and drop the connection, without an error-level stack trace.
    errorHandler: (error, socket, request) => {
      request.log.warn({ code: (error as { code?: string }).code }, "websocket protocol error");
      socket.terminate();
    },
  });
  // Each route plugin gets only the parts of the core it uses.
  const only = <K extends keyof Core>(...keys: K[]): Pick<Core, K> =>
    Object.fromEntries(keys.map((key) => [key, core[key]])) as Pick<Core, K>;
  await app.register(requestGuard, { allowedOrigins: config.extensionOrigins, browsers: core.browserPairing });
  await app.register(sessionAuth, { sessions: core.sessions });
  await app.register(healthRoutes, { ...only("sql", "keychain"), sandbox: config.sandbox !== undefined });
  await app.register(captchaRoutes, only("captchas"));
  await app.register(
    accountRoutes,
    only("changePassword", "login", "passwordReset", "people", "registration", "securityCenter", "sessions"),
  );
  await app.register(grantRoutes, only("grants", "myEvents"));
  await app.register(grantRequestRoutes, only("grantRequests"));
  await app.register(declarationRoutes, only("declarationPasswords", "grants", "people", "smsCodes", "units"));
  await app.register(eventRoutes, only("hub", "sessions"));
  await app.register(
    desktopRoutes,
    only(
      "attemptGuards",
      "ca",
      "captchas",
      "clock",
      "config",
      "declarationUnitGuard",
      "declarationPasswords",
      "desktopPairing",
      "grantRequests",
      "grants",
      "login",
      "onDatabaseAvailability",
      "people",
      "qrLogins",
      "sessions",
      "unitChanges",
      "unitLists",
      "units",
    ),
  );
  await app.register(desktopPairingRoutes, only("desktopPairing"));
  await app.register(browserRoutes, only("browserPairing"));
  await app.register(qrLoginRoutes, only("clock", "qrLogins"));
  await app.register(appDownloadRoutes, only("config"));
  await app.register(portraitRoutes, only("faceChallenges", "faceVerifications", "portraitAuthority", "registration"));
  return app;
}
