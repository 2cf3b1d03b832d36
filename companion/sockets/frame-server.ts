import type { FastifyBaseLogger } from "fastify";
import type { RawData, WebSocket } from "ws";
import type * as z from "zod";
import { AppError, parseInput } from "../errors.js";
import { readFrame } from "./frames.js";
import type { RateLimiter } from "./rate-limit.js";

/** What one connection may do before the companion closes it; a limit left out does not apply. */
export interface SocketLimits {
  /**
   * A frame over the limiter is refused with RATE_LIMITED; after `refusals` such frames the
   * connection is closed (4429) once every frame accepted before has been answered.
   */
  rate?: { limiter: RateLimiter; refusals: number };
  /** Closed (4408) after this long without a frame from the client. */
  idleMs?: number;
  /** A WebSocket ping this often; a client that has not answered the previous one is dropped. */
  heartbeatMs?: number;
}

export interface FrameServerOptions<Message> {
  log: FastifyBaseLogger;
  /** What a frame must be; anything else is refused with VALIDATION_FAILED and a message per field. */
  schema: z.ZodType<Message>;
  limits?: SocketLimits;
  /** Looks at a frame before it is validated, to refuse it on its face (its type, say) unread. */
  screen?(frame: unknown): AppError | undefined;
  /** A valid frame; an AppError it fails with is refused. */
  receive(message: Message): Promise<void>;
  /** How a refusal reaches the client; `id` is the refused frame's, when it has one. */
  refuse(error: AppError, id: string | null): void;
  /** The connection closed, whichever side closed it. */
  onClose?(): void;
}

/**
 * Serves one WebSocket of JSON text frames: each frame is counted against the rate limit, read,
 * validated and received — or refused. Nothing a client sends can crash the companion; a failure
 * that is not a refusal is logged and closes the connection (1011).
 */
export function serveFrames<Message extends { type: string }>(
  socket: WebSocket,
  options: FrameServerOptions<Message>,
): void {
  const { limits = {} } = options;
  let rateRefusals = 0;
  let answeredPing = true;
  /** Frames received and not yet answered. */
  const inFlight = new Set<Promise<void>>();
  /** Set once the connection is to close: nothing more is read. */
  let closing = false;
  const closeWhenAnswered = (code: number, reason: string) => {
    closing = true;
    void Promise.allSettled(inFlight).then(() => socket.close(code, reason));
  };
  const idle = limits.idleMs === undefined ? undefined : setTimeout(() => socket.close(4408, "idle"), limits.idleMs);
  const heartbeat =
    limits.heartbeatMs === undefined
      ? undefined
      : setInterval(() => {
          if (!answeredPing) return socket.terminate();
          answeredPing = false;
          socket.ping();
        }, limits.heartbeatMs);
  socket.on("pong", () => {
    answeredPing = true;
  });

  socket.on("message", (data: RawData, isBinary: boolean) => {
    if (closing) return;
    idle?.refresh();
    const { frame, id } = readFrame(data, isBinary);
    // Every frame counts, malformed ones included.
    if (limits.rate && !limits.rate.limiter.admit()) {
      rateRefusals += 1;
      // The client must not lose the answer to a request it was allowed to make (was that order saved?).
      if (rateRefusals > limits.rate.refusals) return closeWhenAnswered(4429, "rate limit");
      return options.refuse(new AppError("RATE_LIMITED", { retryAfter: 1 }), id);
    }
    if (frame === undefined) return options.refuse(new AppError("BAD_REQUEST"), null);
    const refusal = options.screen?.(frame);
    if (refusal) return options.refuse(refusal, id);
    let message: Message;
    try {
      message = parseInput(options.schema, frame);
    } catch (error) {
      return options.refuse(error as AppError, id);
    }
    // Received now, not on a later tick: what a frame changes (hello pairs the connection) holds
    // for the frames right behind it.
    const answered = options
      .receive(message)
      .catch((error: unknown) => {
        if (error instanceof AppError) return options.refuse(error, id);
        options.log.error({ err: error, type: message.type }, "websocket frame failed");
        socket.close(1011, "internal error");
      })
      .finally(() => inFlight.delete(answered));
    inFlight.add(answered);
  });

  socket.on("close", () => {
    clearTimeout(idle);
    clearInterval(heartbeat);
    options.onClose?.();
  });
}
