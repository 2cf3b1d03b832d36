import { expect } from "vitest";
import WebSocket from "ws";
import { DesktopClient, type SocketLike } from "../../shared/desktop/client.js";
import { DESKTOP_PATH, type DesktopRequestType, desktopResultSchemas } from "../../shared/desktop/protocol.js";
import { api } from "./companion.js";
import type { TestPerson } from "./people.js";

/**
 * A companion the helpers below reach over its sockets and HTTP only: one started in the test's
 * process, or in a process of its own (companion-process.ts).
 */
export interface Reachable {
  url: string;
}

/** A typed client on a new WebSocket to `path` of the companion; a refused upgrade rejects with its status. */
export async function connectClient(
  companion: Reachable,
  path: string,
  headers: Record<string, string>,
): Promise<DesktopClient> {
  const socket = new WebSocket(`${companion.url.replace("http", "ws")}${path}`, { headers });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
    socket.once("unexpected-response", (request, response) => {
      request.destroy();
      reject(new Error(`HTTP ${response.statusCode}`));
    });
  });
  return new DesktopClient(onlyProtocolFields(socket));
}

/** Paths in what the companion sent that the parsed result lacks: the fields its schema dropped. */
function droppedFields(sent: unknown, parsed: unknown, path: string): string[] {
  if (typeof sent !== "object" || sent === null) return [];
  return Object.entries(sent).flatMap(([key, value]) =>
    typeof parsed === "object" && parsed !== null && key in parsed
      ? droppedFields(value, (parsed as Record<string, unknown>)[key], `${path}.${key}`)
      : [`${path}.${key}`],
  );
}

/**
 * The socket as the typed client sees it, with one check more than the client makes. The client
 * validates each result against its schema and drops fields the protocol does not have (a newer
 * companion may add some); in these tests such a field is the companion's mistake (a token leaked
 * into a result, say), so its reply reaches the client as a refusal naming the field.
 */
function onlyProtocolFields(socket: WebSocket): SocketLike {
  const typeOf = new Map<string, DesktopRequestType>();
  const checked = (text: string): string => {
    const reply = JSON.parse(text);
    const type = typeOf.get(reply.id);
    if (type === undefined) return text;
    typeOf.delete(reply.id);
    const parsed = desktopResultSchemas[type].safeParse(reply.result);
    const extra = reply.ok && parsed.success ? droppedFields(reply.result, parsed.data, "result") : [];
    if (extra.length === 0) return text;
    return JSON.stringify({
      id: reply.id,
      ok: false,
      code: "INTERNAL",
      message: `${type}: not in the protocol: ${extra.join(", ")}`,
    });
  };
  return {
    send(data) {
      const { id, type } = JSON.parse(data);
      typeOf.set(id, type);
      socket.send(data);
    },
    close: () => socket.close(),
    addEventListener: ((type: "message" | "close", listener: (event?: { data: unknown }) => void) => {
      if (type === "close") socket.addEventListener("close", () => listener());
      else socket.addEventListener("message", ({ data }) => listener({ data: checked(String(data)) }));
    }) as SocketLike["addEventListener"],
  };
}

/** A desktop client connection, as a desktop program makes it: no Origin header. */
export const connectDesktop = (companion: Reachable, headers: Record<string, string> = {}) =>
  connectClient(companion, DESKTOP_PATH, headers);

/**
 * Approves the pending pairing request showing `code` as the popup does (its HTTP API: the code
 * typed, the client's name checked, 允许), as the person whose session `approverToken` is; the
 * request must carry `clientName`.
 */
export async function approvePairing(
  companion: Reachable,
  approverToken: string,
  code: string,
  clientName: string,
): Promise<void> {
  const found = await api(companion, "/api/desktop/pairings/find", { token: approverToken, body: { code } });
  expect(found.body).toMatchObject({ clientName });
  const approved = await api(companion, "/api/desktop/pairings/approve", { token: approverToken, body: { code } });
  expect(approved.status).toBe(200);
}

/** Pairs a new desktop connection, approved through the popup API; returns it and its client token. */
export async function pairDesktopClient(
  companion: Reachable,
  approverToken: string,
  name = "扣缴客户端",
): Promise<{ client: DesktopClient; clientToken: string }> {
  const client = await connectDesktop(companion);
  const approved = client.nextEvent("pair.approved");
  const { code } = await client.request("pair.request", { clientName: name });
  await approvePairing(companion, approverToken, code, name);
  return { client, clientToken: (await approved).clientToken };
}

/** A new connection of the paired client `clientToken`, with the person logged in. */
export async function desktopLoggedIn(
  companion: Reachable,
  clientToken: string,
  person: TestPerson,
): Promise<DesktopClient> {
  const client = await connectDesktop(companion);
  await client.request("hello", { clientToken });
  await client.request("login", { account: person.loginName, password: person.password });
  return client;
}
