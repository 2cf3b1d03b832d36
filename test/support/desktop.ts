import WebSocket from "ws";
import { DesktopClient, type SocketLike } from "../../shared/desktop/client.js";
import { DESKTOP_PATH } from "../../shared/desktop/protocol.js";
import type { RunningCompanion } from "./companion.js";

/** A desktop client connection, as a desktop program makes it: no Origin header. */
export async function connectDesktop(
  companion: RunningCompanion,
  headers: Record<string, string> = {},
): Promise<DesktopClient> {
  const socket = new WebSocket(`${companion.url.replace("http", "ws")}${DESKTOP_PATH}`, { headers });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
    socket.once("unexpected-response", (request, response) => {
      request.destroy();
      reject(new Error(`HTTP ${response.statusCode}`));
    });
  });
  return new DesktopClient(socket as unknown as SocketLike);
}
