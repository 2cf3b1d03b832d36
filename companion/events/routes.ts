import type { FastifyPluginAsync } from "fastify";
import { eventClientMessageSchema, type ServerEvent } from "../../shared/api/grants.js";
import { ERROR_MESSAGES } from "../../shared/errors.js";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import { serveFrames } from "../sockets/frame-server.js";
import { sendFrame } from "../sockets/frames.js";
import { socketRoute } from "../sockets/socket-route.js";

const AUTH_TIMEOUT_MS = 5_000;
const SESSION_CHECK_MS = 30_000;

/** What these routes use of the companion. */
export type EventRoutesDeps = Pick<Core, "hub" | "sessions">;

/**
 * /api/events: a WebSocket the extension's pages (and background) keep open to hear about changes.
 * The request guard has already checked Host and Origin on the upgrade; the first message must carry
 * the session token (not the URL, which may be logged).
 */
const eventRoutes: FastifyPluginAsync<EventRoutesDeps> = async (app, core) => {
  socketRoute(app, "/api/events", {}, (socket, request) => {
    const send = (event: ServerEvent) => sendFrame(socket, event);
    let unsubscribe: (() => void) | null = null;
    let stopHearingEnds: (() => void) | undefined;
    let sessionCheck: NodeJS.Timeout | undefined;
    const refuseAndClose = (code: "UNAUTHENTICATED" | "PASSWORD_CHANGE_REQUIRED" | "BAD_REQUEST") => {
      clearTimeout(authTimer);
      send({ type: "error", code, message: ERROR_MESSAGES[code] });
      socket.close(4401, code);
    };
    const authTimer = setTimeout(() => refuseAndClose("UNAUTHENTICATED"), AUTH_TIMEOUT_MS);

    // Only the first message is read. After it the client has nothing to say: its pings only keep a
    // service worker alive, and whatever else it sends is passed over.
    serveFrames(socket, {
      log: request.log,
      schema: eventClientMessageSchema,
      receive: async (message) => {
        if (unsubscribe) return;
        if (message.type !== "auth") throw new AppError("BAD_REQUEST");
        const { personId, tokenHash } = await core.sessions.authenticate(message.token);
        clearTimeout(authTimer);
        unsubscribe = core.hub.subscribe(personId, { send });
        const checkSession = async () => {
          if (await core.sessions.isLive(tokenHash)) return;
          send({ type: "session-ended", reason: "expired" });
          socket.close(4401, "session ended");
        };
        // A database that cannot answer now is asked again at the next check.
        const checkSoon = () => void checkSession().catch(() => undefined);
        // At once when one of the person's sessions is ended (here or on another companion); the
        // timer for the rest (idle, 12 hours).
        stopHearingEnds = core.sessions.onEnd(personId, checkSoon);
        sessionCheck = setInterval(checkSoon, SESSION_CHECK_MS);
        send({ type: "ready" });
      },
      // A token the companion does not know (or no longer) is UNAUTHENTICATED; one whose password
      // must be changed first is told so (the client retries later, and gets in once it is changed);
      // a first message that is unreadable or not an auth message is BAD_REQUEST.
      refuse: (error) => {
        if (unsubscribe) return;
        const { code } = error;
        refuseAndClose(code === "UNAUTHENTICATED" || code === "PASSWORD_CHANGE_REQUIRED" ? code : "BAD_REQUEST");
      },
      onClose: () => {
        clearTimeout(authTimer);
        clearInterval(sessionCheck);
        stopHearingEnds?.();
        unsubscribe?.();
      },
    });
  });
};

export default eventRoutes;
