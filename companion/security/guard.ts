import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { DESKTOP_PATH } from "../../shared/desktop/protocol.js";
import { AppError } from "../errors.js";

/**
 * Every request and WebSocket upgrade must name this loopback address and port as its Host
 * (defeats DNS rebinding) and come from our extension's exact origin. Clients without an Origin
 * (desktop programs) may only open the desktop socket, where they must pair before anything else.
 */
const requestGuard: FastifyPluginAsync<{ allowedOrigin: string }> = async (app, { allowedOrigin }) => {
  const expectedHost = () => {
    const address = app.server.address();
    const port = address && typeof address === "object" ? address.port : 0;
    return `127.0.0.1:${port}`;
  };

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    // Desktop programs send no Origin; they may open the desktop socket, and must pair there.
    const desktopClient = request.url.split("?")[0] === DESKTOP_PATH && request.headers.origin === undefined;
    const refusal =
      request.headers.host !== expectedHost()
        ? new AppError("FORBIDDEN_HOST")
        : request.headers.origin !== allowedOrigin && !desktopClient
          ? new AppError("FORBIDDEN_ORIGIN")
          : null;
    if (refusal && request.headers.upgrade) return refuseUpgrade(request, reply, refusal);
    if (refusal) throw refusal;
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

/**
 * A refused WebSocket upgrade: write the 403 on the raw socket and close it once flushed. (Through
 * Fastify's reply, the WebSocket plugin would destroy the socket before the refusal got out.)
 */
function refuseUpgrade(request: FastifyRequest, reply: FastifyReply, refusal: AppError): FastifyReply {
  const body = JSON.stringify(refusal.toBody());
  reply.hijack();
  request.raw.socket.end(
    `HTTP/1.1 403 Forbidden\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  return reply;
}

// Shared on purpose: the guard must wrap every route of the app, not one encapsulated scope.
export default fp(requestGuard, { name: "request-guard" });
