// The floor of the desktop socket: a bare `ws` server on 127.0.0.1 that sends every message back,
// with the companion's frame limit, printing one line when it listens (as the companion does).
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { MAX_FRAME_BYTES } from "../shared/desktop/protocol.js";

const server = new WebSocketServer({
  host: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  maxPayload: MAX_FRAME_BYTES,
});
server.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on("error", () => socket.terminate());
});
server.on("listening", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`echo listening on http://127.0.0.1:${port}\n`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const client of server.clients) client.terminate();
    server.close(() => process.exit(0));
  });
}
