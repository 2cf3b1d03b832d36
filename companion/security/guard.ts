import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { DESKTOP_PATH } from "../../shared/desktop/protocol.js";
import { AppError } from "../errors.js";
import { sendRefusal } from "../http/refusals.js";

/** How many Host header lines a request has (Node keeps the first one only in `headers`). */
const hostLines = (rawHeaders: string[]) =>
  rawHeaders.filter((name, index) => index % 2 === 0 && name.toLowerCase() === "host").length;

/**
 * A WebSocket upgrade is served on a socket route (sockets/socket-route.ts) with no query parameter
 * but the ones that route reads.
 */
function isSocketUrl(request: FastifyRequest): boolean {
  const socket = request.routeOptions.config.socket;
  if (!socket) return false;
  const query = new URL(request.url, "http://127.0.0.1").searchParams;
  return [...query.keys()].every((name) => socket.query.includes(name));
}

/**
 * Strict framing first: one Host line, and an origin-form target (`/path?query`) — a second Host
 * or an absolute URL could make this guard and the router read different requests. Then every
 * request and WebSocket upgrade must name this loopback address and port as its Host (defeats DNS
 * rebinding) and come from our extension's exact origin. Clients without an Origin (desktop
 * programs) may only open the desktop socket, at its exact path, where they must pair before
 * anything else. An upgrade is only accepted on a socket route.
 */
const requestGuard: FastifyPluginAsync<{ allowedOrigin: string }> = async (app, { allowedOrigin }) => {
  const expectedHost = () => {
    const address = app.server.address();
    const port = address && typeof address === "object" ? address.port : 0;
    return `127.0.0.1:${port}`;
  };

  const refusalOf = (request: FastifyRequest): AppError | null => {
    if (hostLines(request.raw.rawHeaders) > 1 || !request.url.startsWith("/")) return new AppError("BAD_REQUEST");
    if (request.headers.host !== expectedHost()) return new AppError("FORBIDDEN_HOST");
    // Desktop programs send no Origin; they may open the desktop socket, and must pair there.
    const desktopClient = request.url === DESKTOP_PATH && request.headers.origin === undefined;
    if (request.headers.origin !== allowedOrigin && !desktopClient) return new AppError("FORBIDDEN_ORIGIN");
    if (request.headers.upgrade !== undefined && !isSocketUrl(request)) return new AppError("NOT_FOUND");
    return null;
  };

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const refusal = refusalOf(request);
    if (refusal) return sendRefusal(request, reply, refusal);
    reply.header("access-control-allow-origin", allowedOrigin);
    // The grants CSV export names its file; the page may read that name.
    reply.header("access-control-expose-headers", "content-disposition");
    reply.header("vary", "Origin");
    if (request.method === "OPTIONS") {
      reply
        .header("access-control-allow-methods", "GET, POST, OPTIONS")
        .header("access-control-allow-headers", "authorization, content-type")
        .header("access-control-max-age", "600")
        // Chrome's Private Network Access preflight: we are the loopback service it asks about.
        .header("access-control-allow-private-network", "true")
        .code(204)
        .send();
      return reply;
    }
  });
};

// Shared on purpose: the guard must wrap every route of the app, not one encapsulated scope.
export default fp(requestGuard, { name: "request-guard" });
