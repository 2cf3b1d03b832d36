import { connect } from "node:net";

export interface RawAnswer {
  status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
  /** The companion closed the connection after answering. */
  closed: boolean;
}

/** The bytes of a WebSocket upgrade request's own headers (the key is RFC 6455's sample). */
export const UPGRADE_HEADERS = [
  "Connection: Upgrade",
  "Upgrade: websocket",
  "Sec-WebSocket-Version: 13",
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
];

/**
 * Sends `lines` (a request line and header lines, then an optional body) as they are on a plain TCP
 * connection — what no HTTP client library lets a test send: two Host headers, an absolute URL, a
 * broken request line. Answers the first response; a connection still open `waitMs` after it
 * (a WebSocket that was accepted) is closed by the test.
 */
export function rawExchange(port: number, lines: string[], body = "", waitMs = 300): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = Buffer.alloc(0);
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = received.toString("utf8");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return reject(new Error(`no HTTP answer: ${JSON.stringify(text)}`));
      const [statusLine = "", ...headerLines] = text.slice(0, end).split("\r\n");
      const headers = Object.fromEntries(
        headerLines.map((line) => {
          const colon = line.indexOf(":");
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: text.slice(end + 4), closed });
    };
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      // Wait a little for the rest of the answer, or for the companion to close the connection.
      clearTimeout(timer);
      timer = setTimeout(finish, waitMs);
    });
    socket.on("end", () => {
      closed = true;
      finish();
    });
    socket.on("error", reject);
    socket.write(`${lines.join("\r\n")}\r\n\r\n${body}`);
  });
}
