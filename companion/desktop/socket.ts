import type { FastifyPluginAsync } from "fastify";
import type { WebSocket } from "ws";
import {
  DESKTOP_HEARTBEAT_MS,
  DESKTOP_IDLE_TIMEOUT_MS,
  DESKTOP_MAX_RATE_VIOLATIONS,
  DESKTOP_PATH,
  DESKTOP_RATE_BURST,
  DESKTOP_RATE_PER_SECOND,
  type DesktopEvent,
  type DesktopRequestType,
  desktopRequestSchema,
} from "../../shared/desktop/protocol.js";
import { ERROR_MESSAGES } from "../../shared/errors.js";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import { sendFrame } from "../sockets/frames.js";
import { tokenBucket } from "../sockets/rate-limit.js";
import { serveRequests } from "../sockets/request-server.js";
import { socketRoute } from "../sockets/socket-route.js";
import { type DesktopConnectionDeps, desktopConnection } from "./connection.js";
import { grantRequestRequests } from "./requests/grant-requests.js";
import type { DesktopHandlers } from "./requests/handlers.js";
import { loginRequests } from "./requests/login.js";
import { pairingRequests } from "./requests/pairing.js";
import { qrLoginRequests } from "./requests/qr-login.js";
import { unitEntryRequests } from "./requests/unit-entry.js";
import { unitListRequests } from "./requests/units.js";
import { unitSessionService } from "./unit-sessions.js";

/** Requests an unpaired connection may make. */
const BEFORE_PAIRING: ReadonlySet<string> = new Set<DesktopRequestType>(["pair.request", "hello", "ping"]);

/** Before pairing, only a few requests are even read: nothing costly for an unknown client. */
const unpairedRefusal = (frame: unknown): AppError | undefined => {
  const type = (frame as { type?: unknown } | null)?.type;
  return typeof type === "string" && !BEFORE_PAIRING.has(type) ? new AppError("NOT_PAIRED") : undefined;
};

/** What these routes use of the companion. */
export type DesktopRoutesDeps = Pick<
  Core,
  | "attemptGuards"
  | "ca"
  | "captchas"
  | "clock"
  | "config"
  | "declarationPasswords"
  | "declarationUnitGuard"
  | "desktopPairing"
  | "grantRequests"
  | "grants"
  | "login"
  | "onDatabaseAvailability"
  | "people"
  | "qrLogins"
  | "sessions"
  | "unitChanges"
  | "unitLists"
  | "units"
>;

/**
 * ws://127.0.0.1:<port>/desktop — the desktop filing clients' socket (docs/desktop-protocol.md):
 * limits, then pairing, then the person's login, then requests, each answered by its handler.
 */
const desktopRoutes: FastifyPluginAsync<DesktopRoutesDeps> = async (app, core) => {
  const sessions = unitSessionService({
    clock: core.clock,
    today: core.grants.today,
    people: core.people,
    managers: core.grants.managers,
    declarationPasswords: core.declarationPasswords,
    changes: core.unitChanges,
  });
  const handlers: DesktopHandlers<DesktopRequestType> = {
    ...pairingRequests({ pairing: core.desktopPairing, people: core.people, clock: core.clock }),
    ...loginRequests({ captchas: core.captchas, login: core.login }),
    ...unitListRequests({
      unitLists: core.unitLists,
      units: core.units,
      people: core.people,
      managers: core.grants.managers,
      today: core.grants.today,
    }),
    ...unitEntryRequests({
      guards: core.attemptGuards,
      clock: core.clock,
      captchas: core.captchas,
      units: core.units,
      people: core.people,
      managers: core.grants.managers,
      today: core.grants.today,
      declarationPasswords: core.declarationPasswords,
      declarationUnitGuard: core.declarationUnitGuard,
      appDownloadUrl: core.config.appDownloadUrl,
      // Listed store IDs come after the development one: people install from a store.
      extensionOrigin: core.config.extensionOrigins[1] ?? (core.config.extensionOrigins[0] as string),
      ca: core.ca,
    }),
    ...qrLoginRequests({ qrLogins: core.qrLogins }),
    ...grantRequestRequests({ grantRequests: core.grantRequests }),
  };
  const connectionDeps: DesktopConnectionDeps = {
    clock: core.clock,
    sessions: core.sessions,
    unitSessions: sessions,
    pairing: core.desktopPairing,
    qrLogins: core.qrLogins,
    unitLists: core.unitLists,
  };
  // Every connection hears when the shared database stops answering and when it is back.
  const open = new Set<WebSocket>();
  const stopHearingDatabase = core.onDatabaseAvailability((available) => {
    const event: DesktopEvent = available
      ? { event: "database.restored" }
      : { event: "database.unavailable", message: ERROR_MESSAGES.DATABASE_UNAVAILABLE };
    for (const socket of open) sendFrame(socket, event);
  });
  app.addHook("onClose", async () => {
    stopHearingDatabase();
    sessions.stop();
  });

  socketRoute(app, DESKTOP_PATH, {}, (socket, request) => {
    const connection = desktopConnection(connectionDeps, {
      send: (event) => sendFrame(socket, event),
      close: (code, reason) => socket.close(code, reason),
    });
    open.add(socket);
    socket.once("close", () => open.delete(socket));
    serveRequests(socket, {
      log: request.log,
      schema: desktopRequestSchema,
      limits: {
        rate: {
          limiter: tokenBucket(DESKTOP_RATE_BURST, DESKTOP_RATE_PER_SECOND),
          refusals: DESKTOP_MAX_RATE_VIOLATIONS,
        },
        idleMs: core.config.sandbox?.desktopIdleMs ?? DESKTOP_IDLE_TIMEOUT_MS,
        heartbeatMs: DESKTOP_HEARTBEAT_MS,
      },
      screen: (frame) => (connection.client ? undefined : unpairedRefusal(frame)),
      handlers,
      context: connection,
      onClose: () => connection.close(),
    });
  });
};

export default desktopRoutes;
