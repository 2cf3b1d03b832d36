import type { WebsocketHandler } from "@fastify/websocket";
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** A WebSocket route, and the query parameters its URL may carry (the guard refuses others). */
    socket?: { query: readonly string[] };
  }
}

/**
 * A WebSocket route at `path`. An upgrade whose URL has another query parameter than `query` is
 * refused by the request guard; a plain HTTP request there is told to upgrade (426).
 */
export function socketRoute(
  app: FastifyInstance,
  path: string,
  options: { query?: readonly string[] },
  wsHandler: WebsocketHandler,
): void {
  app.route({
    method: "GET",
    url: path,
    config: { socket: { query: options.query ?? [] } },
    wsHandler,
    handler: (_request, reply) => {
      const refusal = new AppError("UPGRADE_REQUIRED");
      return reply
        .code(refusal.status)
        .header("upgrade", "websocket")
        .header("connection", "upgrade")
        .send(refusal.toBody());
    },
  });
}
