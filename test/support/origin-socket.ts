import WebSocket from "ws";

/** Opens the companion's event socket with `origin`: "open", or the HTTP status it was refused with. */
export function openSocketAs(companion: { url: string }, origin: string): Promise<"open" | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${companion.url.replace("http", "ws")}/api/events`, { origin });
    socket.on("open", () => {
      socket.close();
      resolve("open");
    });
    socket.on("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on("error", reject);
  });
}
