import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { AppError } from "../errors.js";

/**
 * Every request and WebSocket upgrade must name this loopback address and port as its Host
 * (defeats DNS rebinding) and come from our extension's exact origin. Clients without an Origin
 * (desktop programs) are refused until they can pair (desktop issue).
 */
const requestGuard: FastifyPluginAsync<{ allowedOrigin: string }> = async (app, { allowedOrigin }) => {
  const expectedHost = () => {
    const address = app.server.address();
    const port = address && typeof address === "object" ? address.port : 0;
    return `127.0.0.1:${port}`;
  };

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.headers.host !== expectedHost()) throw new AppError("FORBIDDEN_HOST", 403);
    if (request.headers.origin !== allowedOrigin) throw new AppError("FORBIDDEN_ORIGIN", 403);
    reply.header("access-control-allow-origin", allowedOrigin);
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
