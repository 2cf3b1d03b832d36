import type { ErrorBody } from "../errors.js";
import {
  type DesktopEvent,
  type DesktopRequest,
  type DesktopRequestType,
  type DesktopResult,
  desktopEventSchema,
  desktopReplySchema,
  desktopResultSchemas,
} from "./protocol.js";

/** The little of a WebSocket the client needs (the `ws` package in Node, the global one in browsers). */
export interface SocketLike {
  send(data: string): void;
  close(): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: () => void): void;
}

/** A refusal from the companion, with its stable code. */
export class DesktopError extends Error {
  readonly code: ErrorBody["code"];
  readonly body: ErrorBody;
  constructor(body: ErrorBody) {
    super(body.message);
    this.name = "DesktopError";
    this.code = body.code;
    this.body = body;
  }
}

type RequestBody<T extends DesktopRequestType> = Omit<Extract<DesktopRequest, { type: T }>, "id" | "type">;

/**
 * Typed client of the desktop protocol: one request, one validated reply; events to listeners.
 * Third-party desktop programs follow the same contract (docs/desktop-protocol.md).
 */
export class DesktopClient {
  private nextId = 1;
  private readonly waiting = new Map<
    string,
    { resolve(result: unknown): void; reject(error: Error): void; type: DesktopRequestType }
  >();
  private readonly listeners = new Set<(event: DesktopEvent) => void>();

  constructor(private readonly socket: SocketLike) {
    socket.addEventListener("message", ({ data }) => this.receive(String(data)));
    socket.addEventListener("close", () => {
      for (const { reject } of this.waiting.values()) reject(new Error("连接已关闭"));
      this.waiting.clear();
    });
  }

  request<T extends DesktopRequestType>(type: T, body: RequestBody<T>): Promise<DesktopResult<T>> {
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (result: unknown) => void, reject, type });
      this.socket.send(JSON.stringify({ ...body, id, type }));
    });
  }

  onEvent(listener: (event: DesktopEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first event of that kind. */
  nextEvent<E extends DesktopEvent["event"]>(event: E): Promise<Extract<DesktopEvent, { event: E }>> {
    return new Promise((resolve) => {
      const off = this.onEvent((received) => {
        if (received.event !== event) return;
        off();
        resolve(received as Extract<DesktopEvent, { event: E }>);
      });
    });
  }

  close(): void {
    this.socket.close();
  }

  private receive(text: string): void {
    const message: unknown = JSON.parse(text);
    const event = desktopEventSchema.safeParse(message);
    if (event.success) {
      for (const listener of this.listeners) listener(event.data);
      return;
    }
    const reply = desktopReplySchema.parse(message);
    const pending = reply.id === null ? undefined : this.waiting.get(reply.id);
    if (!pending || reply.id === null) return;
    this.waiting.delete(reply.id);
    if (reply.ok) pending.resolve(desktopResultSchemas[pending.type].parse(reply.result));
    else {
      const { id: _id, ok: _ok, ...body } = reply;
      pending.reject(new DesktopError(body));
    }
  }
}
