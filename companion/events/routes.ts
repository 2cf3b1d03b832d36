import type { FastifyPluginAsync } from "fastify";
import type { WebSocket } from "ws";
import { eventClientMessageSchema, type ServerEvent } from "../../shared/api/grants.js";
import { ERROR_MESSAGES } from "../../shared/errors.js";
import { AppError } from "../errors.js";

const AUTH_TIMEOUT_MS = 5_000;
const SESSION_CHECK_MS = 30_000;

/**
 * /api/events: a WebSocket the extension's pages (and background) keep open to hear about changes.
 * The request guard has already checked Host and Origin on the upgrade; the first message must carry
 * the session token (not the URL, which may be logged).
 */
const eventRoutes: FastifyPluginAsync = async (app) => {
  const { core } = app;

  app.get("/api/events", { websocket: true }, (socket: WebSocket) => {
    const send = (event: ServerEvent) => socket.send(JSON.stringify(event));
    const refuse = (code: "UNAUTHENTICATED" | "BAD_REQUEST") => {
      send({ type: "error", code, message: ERROR_MESSAGES[code] });
      socket.close(4401, code);
    };
    let unsubscribe: (() => void) | null = null;
    let sessionCheck: NodeJS.Timeout | undefined;
    const authTimer = setTimeout(() => refuse("UNAUTHENTICATED"), AUTH_TIMEOUT_MS);

    socket.on("message", (data, isBinary) => {
      if (unsubscribe) return; // nothing else is expected from the client
      clearTimeout(authTimer);
      let message: unknown;
      try {
        message = isBinary ? null : JSON.parse(String(data));
      } catch {
        message = null;
      }
      const parsed = eventClientMessageSchema.safeParse(message);
      if (!parsed.success || parsed.data.type !== "auth") return refuse("BAD_REQUEST");
      try {
        const { personId, tokenHash } = core.sessions.authenticate(parsed.data.token);
        unsubscribe = core.hub.subscribe(personId, { send });
        sessionCheck = setInterval(() => {
          if (core.sessions.isLive(tokenHash)) return;
          send({ type: "session-ended", reason: "expired" });
          socket.close(4401, "session ended");
        }, SESSION_CHECK_MS);
        send({ type: "ready" });
      } catch (error) {
        if (error instanceof AppError) return refuse("UNAUTHENTICATED");
        throw error;
      }
    });

    socket.on("close", () => {
      clearTimeout(authTimer);
      clearInterval(sessionCheck);
      unsubscribe?.();
    });
  });
};

export default eventRoutes;
