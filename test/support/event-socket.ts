import WebSocket from "ws";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";

/** A session's /api/events socket: every event it receives, and `ready` once the first one came. */
export function connectEvents(companion: { url: string }, token: string, origin = EXTENSION_ORIGIN) {
  const socket = new WebSocket(`${companion.url.replace("http", "ws")}/api/events`, { origin });
  const events: Array<Record<string, unknown>> = [];
  socket.on("message", (data) => events.push(JSON.parse(String(data))));
  const ready = new Promise<void>((resolve, reject) => {
    socket.on("open", () => socket.send(JSON.stringify({ type: "auth", token })));
    socket.on("message", () => resolve());
    socket.on("error", reject);
    socket.on("unexpected-response", (req, res) => {
      req.destroy();
      reject(new Error(`HTTP ${res.statusCode}`));
    });
  });
  return { socket, events, ready };
}

/** Waits (up to a second) for `check` to hold. */
export const eventually = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};
