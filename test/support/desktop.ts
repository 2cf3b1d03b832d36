import { expect } from "vitest";
import WebSocket from "ws";
import { DesktopClient, type SocketLike } from "../../shared/desktop/client.js";
import { DESKTOP_PATH } from "../../shared/desktop/protocol.js";
import { api, type RunningCompanion } from "./companion.js";
import type { TestPerson } from "./people.js";

/** A typed client on a new WebSocket to `path` of the companion; a refused upgrade rejects with its status. */
export async function connectClient(
  companion: RunningCompanion,
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
  return new DesktopClient(socket as unknown as SocketLike);
}

/** A desktop client connection, as a desktop program makes it: no Origin header. */
export const connectDesktop = (companion: RunningCompanion, headers: Record<string, string> = {}) =>
  connectClient(companion, DESKTOP_PATH, headers);

/**
 * Approves the pending pairing request showing `code` as the popup does (its HTTP API), as the
 * person whose session `approverToken` is; the request must carry `clientName`.
 */
export async function approvePairing(
  companion: RunningCompanion,
  approverToken: string,
  code: string,
  clientName: string,
): Promise<void> {
  const { body } = await api(companion, "/api/desktop/pairings", { token: approverToken });
  const request = body.items.find((r: { code: string }) => r.code === code);
  expect(request).toMatchObject({ clientName, code });
  await api(companion, `/api/desktop/pairings/${request.id}/approve`, { token: approverToken, body: {} });
}

/** Pairs a new desktop connection, approved through the popup API; returns it and its client token. */
export async function pairDesktopClient(
  companion: RunningCompanion,
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
  companion: RunningCompanion,
  clientToken: string,
  person: TestPerson,
): Promise<DesktopClient> {
  const client = await connectDesktop(companion);
  await client.request("hello", { clientToken });
  await client.request("login", { account: person.loginName, password: person.password });
  return client;
}
