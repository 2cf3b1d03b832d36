import type { WebSocket } from "ws";
import { type FrameServerOptions, serveFrames } from "./frame-server.js";
import { sendFrame } from "./frames.js";

/** A handler per request type, each given its own request and the connection's context. */
export type RequestHandlers<Request extends { type: string }, Context> = {
  [T in Request["type"]]: (request: Extract<Request, { type: T }>, context: Context) => unknown;
};

export interface RequestServerOptions<Request extends { id: string; type: string }, Context>
  extends Omit<FrameServerOptions<Request>, "receive" | "refuse"> {
  handlers: RequestHandlers<Request, Context>;
  /** What the handlers of this connection share: its state. */
  context: Context;
}

/**
 * A socket of requests `{id, type, …}`, each answered once: `{id, ok: true, result}` with what its
 * type's handler returns, or `{id, ok: false, code, message, …}` when it is refused.
 */
export function serveRequests<Request extends { id: string; type: string }, Context>(
  socket: WebSocket,
  { handlers, context, ...options }: RequestServerOptions<Request, Context>,
): void {
  serveFrames(socket, {
    ...options,
    receive: async (request) => {
      // The schema's discriminated union has matched the type, so its own handler takes the request.
      const handle = handlers[request.type as Request["type"]] as (request: Request, context: Context) => unknown;
      sendFrame(socket, { id: request.id, ok: true, result: await handle(request, context) });
    },
    refuse: (error, id) => sendFrame(socket, { id, ok: false, ...error.toBody() }),
  });
}
