import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { browsersApi } from "../../shared/api/browsers.js";
import { DESKTOP_PATH } from "../../shared/desktop/protocol.js";
import { FIREFOX_ORIGIN_PATTERN } from "../../shared/extension-identity.js";
import type { BrowserPairing } from "../browsers/browser-pairing.js";
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

export interface RequestGuardOptions {
  /** The Chrome/Edge extension origins accepted (the pinned development ID, the store IDs). */
  allowedOrigins: readonly string[];
  /** Which moz-extension:// origins are trusted, by pairing the browser. */
  browsers: Pick<BrowserPairing, "isTrusted">;
}

const pairingRequest = browsersApi.requestBrowserPairing;

/**
 * Strict framing first: one Host line, and an origin-form target (`/path?query`) — a second Host
 * or an absolute URL could make this guard and the router read different requests. Then every
 * request and WebSocket upgrade must name this loopback address and port as its Host (defeats DNS
 * rebinding) and come from the exact origin of one of our extensions: a listed Chrome/Edge ID, or
 * a Firefox install's moz-extension://<uuid> once its browser is paired. An unpaired Firefox origin
 * may only ask to pair; anything else it is refused as BROWSER_NOT_TRUSTED, readably (CORS), so
 * the popup can offer to pair. Clients without an Origin (desktop programs) may only open the
 * desktop socket, at its exact path, where they must pair before anything else. An upgrade is only
 * accepted on a socket route.
 */
const requestGuard: FastifyPluginAsync<RequestGuardOptions> = async (app, { allowedOrigins, browsers }) => {
  const expectedHost = () => {
    const address = app.server.address();
    const port = address && typeof address === "object" ? address.port : 0;
    return `127.0.0.1:${port}`;
  };

  /** Whether the origin may be answered at all (CORS), and what refuses the request if anything. */
  const originRefusal = async (request: FastifyRequest, origin: string | undefined): Promise<AppError | null> => {
    // Desktop programs send no Origin; they may open the desktop socket, and must pair there.
    if (origin === undefined) return request.url === DESKTOP_PATH ? null : new AppError("FORBIDDEN_ORIGIN");
    if (allowedOrigins.includes(origin)) return null;
    if (!FIREFOX_ORIGIN_PATTERN.test(origin)) return new AppError("FORBIDDEN_ORIGIN");
    if (await browsers.isTrusted(origin)) return null;
    const asksToPair =
      request.method === "OPTIONS" || (request.method === pairingRequest.method && request.url === pairingRequest.path);
    return asksToPair && request.headers.upgrade === undefined ? null : new AppError("BROWSER_NOT_TRUSTED");
  };

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    if (hostLines(request.raw.rawHeaders) > 1 || !request.url.startsWith("/"))
      return sendRefusal(request, reply, new AppError("BAD_REQUEST"));
    if (request.headers.host !== expectedHost()) return sendRefusal(request, reply, new AppError("FORBIDDEN_HOST"));
    const origin = request.headers.origin;
    const refusal = await originRefusal(request, origin);
    if (refusal?.code === "FORBIDDEN_ORIGIN") return sendRefusal(request, reply, refusal);
    if (origin !== undefined) {
      reply.header("access-control-allow-origin", origin);
      // The grants CSV export names its file; the page may read that name.
      reply.header("access-control-expose-headers", "content-disposition");
    }
    reply.header("vary", "Origin");
    if (refusal) return sendRefusal(request, reply, refusal);
    if (request.headers.upgrade !== undefined && !isSocketUrl(request))
      return sendRefusal(request, reply, new AppError("NOT_FOUND"));
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
