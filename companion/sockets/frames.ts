import type { RawData, WebSocket } from "ws";

/**
 * A client's WebSocket frame as JSON, and its request id when it has a usable one — read before any
 * validation, so even a refusal reaches the request that caused it. Binary or bad JSON: undefined.
 */
export function readFrame(data: RawData, isBinary: boolean): { frame: unknown; id: string | null } {
  let frame: unknown;
  try {
    frame = isBinary ? undefined : JSON.parse(data.toString("utf8"));
  } catch {
    frame = undefined;
  }
  const id = (frame as { id?: unknown } | undefined)?.id;
  return { frame, id: typeof id === "string" ? id.slice(0, 64) : null };
}

/** Sends one JSON frame; a connection already closing gets nothing more. */
export function sendFrame(socket: WebSocket, message: object): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}
