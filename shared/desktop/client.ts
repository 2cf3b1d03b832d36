import type * as z from "zod";
import type { ErrorBody } from "../errors.js";
import {
  type DesktopEvent,
  type DesktopRequestType,
  type DesktopResult,
  desktopEventSchema,
  desktopReplySchema,
  type desktopRequestSchema,
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

/** A request's fields as the protocol accepts them (optional where the companion has a default). */
type RequestBody<T extends DesktopRequestType> = Omit<
  Extract<z.input<typeof desktopRequestSchema>, { type: T }>,
  "id" | "type"
>;

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
  private readonly closeListeners = new Set<() => void>();

  /** `timeoutMs`: how long a request waits for its reply before it fails. */
  constructor(
    private readonly socket: SocketLike,
    private readonly timeoutMs = 30_000,
  ) {
    socket.addEventListener("message", ({ data }) => this.receive(String(data)));
    socket.addEventListener("close", () => {
      for (const { reject } of this.waiting.values()) reject(new Error("连接已关闭"));
      this.waiting.clear();
      for (const listener of this.closeListeners) listener();
    });
  }

  request<T extends DesktopRequestType>(type: T, body: RequestBody<T>): Promise<DesktopResult<T>> {
    const id = String(this.nextId++);
    return new Promise<DesktopResult<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error("本地服务没有应答"));
      }, this.timeoutMs);
      const settle =
        <A>(fn: (arg: A) => void) =>
        (arg: A) => {
          clearTimeout(timer);
          fn(arg);
        };
      this.waiting.set(id, { resolve: settle(resolve as (result: unknown) => void), reject: settle(reject), type });
      this.socket.send(JSON.stringify({ ...body, id, type }));
    });
  }

  /** Called once the connection is closed, by either side. */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
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

  /** Frames it does not understand (a newer companion's events or codes) are passed over, never thrown. */
  private receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const event = desktopEventSchema.safeParse(message);
    if (event.success) {
      for (const listener of this.listeners) listener(event.data);
      return;
    }
    const reply = desktopReplySchema.safeParse(message);
    if (!reply.success || reply.data.id === null) return;
    const pending = this.waiting.get(reply.data.id);
    if (!pending) return;
    this.waiting.delete(reply.data.id);
    if (!reply.data.ok) {
      const { id: _id, ok: _ok, ...body } = reply.data;
      pending.reject(new DesktopError(body));
      return;
    }
    const result = desktopResultSchemas[pending.type].safeParse(reply.data.result);
    if (result.success) pending.resolve(result.data);
    else pending.reject(new Error(`本地服务的应答格式不符合协议: ${pending.type}`));
  }
}
