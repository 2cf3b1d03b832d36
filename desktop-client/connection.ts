import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import WebSocket from "ws";
import * as z from "zod";
import { DesktopClient, DesktopError, type SocketLike } from "../shared/desktop/client.js";
import { DESKTOP_PATH } from "../shared/desktop/protocol.js";
import { DEFAULT_COMPANION_PORT } from "../shared/extension-identity.js";
import { DeskError } from "./terminal.js";

export const DEFAULT_URL = `ws://127.0.0.1:${DEFAULT_COMPANION_PORT}${DESKTOP_PATH}`;

/** What pairing gave this client: its own token, sent in `hello` on every connection. */
const savedClientSchema = z.object({
  clientToken: z.string().min(1),
  clientName: z.string(),
  url: z.string(),
  pairedAt: z.string(),
});
export type SavedClient = z.infer<typeof savedClientSchema>;

export function defaultConfigFile(): string {
  const configHome = process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(configHome, "taxauth-desk", "client.json");
}

export function readSavedClient(file: string): SavedClient | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return null;
  }
  let data: unknown = null;
  try {
    data = JSON.parse(text);
  } catch {}
  const saved = savedClientSchema.safeParse(data);
  if (!saved.success) throw new DeskError(`配置文件 ${file} 内容不正确，请删除后重新配对`);
  return saved.data;
}

/** The token is a credential: the file is readable by its owner only, and replaced in one step. */
export function saveClient(file: string, saved: SavedClient): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

export interface Connection {
  client: DesktopClient;
  socket: WebSocket;
}

/** Opens the desktop socket as a desktop program does: no Origin header. */
export function connect(url: string): Promise<Connection> {
  const socket = new WebSocket(url);
  return new Promise((resolve, reject) => {
    // After a failed start the socket may still report errors; they end in "close", handled by the caller.
    socket.on("error", (error) =>
      reject(new DeskError(`无法连接本地服务 ${url}（${error.message}）：请确认 taxauth 已启动`, 3)),
    );
    socket.once("unexpected-response", (request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => {
        request.destroy();
        const message = (() => {
          try {
            return String(JSON.parse(body).message);
          } catch {
            return `HTTP ${response.statusCode}`;
          }
        })();
        reject(new DeskError(`本地服务拒绝连接：${message}`, 3));
      });
    });
    socket.once("open", () => resolve({ client: new DesktopClient(socket as unknown as SocketLike), socket }));
  });
}

/** A connection that has said `hello` with the saved client token. */
export async function connectPaired(url: string, configFile: string): Promise<Connection> {
  const saved = readSavedClient(configFile);
  if (!saved) throw new DeskError("本客户端尚未配对：请先运行 taxauth-desk pair --name <客户端名称>");
  const connection = await connect(url);
  try {
    await connection.client.request("hello", { clientToken: saved.clientToken });
  } catch (error) {
    connection.client.close();
    if (error instanceof DesktopError && error.code === "NOT_PAIRED") {
      throw new DeskError("本客户端的配对已失效（可能已在浏览器扩展中被撤销）：请重新运行 taxauth-desk pair");
    }
    throw error;
  }
  return connection;
}
