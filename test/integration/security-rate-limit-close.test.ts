/**
 * The rate-limit close (4429) loses no reply (issue 13, "Framing and contract"): a client flooding
 * its socket is closed, but every request the companion accepted before deciding so — a login
 * hashing its password, a 扫码登录 code being made — is answered first, so the client knows what
 * was done. Over real sockets of the real companion.
 */
import { once } from "node:events";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import {
  DESKTOP_MAX_RATE_VIOLATIONS,
  DESKTOP_PATH,
  QR_SOCKET_MESSAGES_PER_MINUTE,
} from "../../shared/desktop/protocol.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { QR_LOGIN_SOCKET_PATH } from "../../shared/qr-login/contract.js";
import { newRequesterKeys } from "../../shared/qr-login/requester-keys.js";
import { type RunningCompanion, startCompanion } from "../support/companion.js";
import { pairDesktopClient } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";

let companion: RunningCompanion;
let person: TestPerson;
let clientToken: string;
beforeAll(async () => {
  companion = await startCompanion();
  person = await registerPerson(companion, newPerson());
  const paired = await pairDesktopClient(companion, await loginToken(companion, person));
  clientToken = paired.clientToken;
  paired.client.close();
});
afterAll(() => companion.close());

interface Flooded {
  /** Replies by request id, in the order they came. */
  replies: Map<string, { ok: boolean; code?: string }>;
  closeCode: number;
  /** Replies that came after the close frame: none may. */
  afterClose: number;
}

/** Opens a raw socket, runs `setup`, then sends every frame at once and collects what comes back. */
async function flood(
  path: string,
  headers: Record<string, string>,
  frames: object[],
  setup: (ask: (frame: object) => Promise<unknown>) => Promise<void> = async () => {},
): Promise<Flooded> {
  const socket = new WebSocket(`${companion.url.replace("http", "ws")}${path}`, { headers });
  await once(socket, "open");
  const replies = new Map<string, { ok: boolean; code?: string }>();
  const waiting = new Map<string, (reply: unknown) => void>();
  let closed = false;
  let afterClose = 0;
  socket.on("message", (data) => {
    const reply = JSON.parse(String(data));
    if (closed) afterClose += 1;
    if (typeof reply.id !== "string") return;
    replies.set(reply.id, reply);
    waiting.get(reply.id)?.(reply);
  });
  await setup(
    (frame) =>
      new Promise((resolve) => {
        waiting.set((frame as { id: string }).id, resolve);
        socket.send(JSON.stringify(frame));
      }),
  );
  replies.clear();
  const closing = once(socket, "close");
  for (const frame of frames) socket.send(JSON.stringify(frame));
  const [closeCode] = (await closing) as [number];
  closed = true;
  return { replies, closeCode, afterClose };
}

/**
 * Every frame sent before the last RATE_LIMITED one was read (the close is decided on the frame
 * after it), so each must have its reply.
 */
function expectEveryReadFrameAnswered(ids: string[], { replies }: Flooded): void {
  const lastRefused = ids.findLastIndex((id) => replies.get(id)?.code === "RATE_LIMITED");
  expect(lastRefused).toBeGreaterThan(0);
  expect(ids.slice(0, lastRefused + 1).filter((id) => !replies.has(id))).toEqual([]);
}

it("desktop socket: a login sent first in a flood gets its reply before the 4429 close", async () => {
  const pings = Array.from({ length: 200 }, (_, i) => ({ id: `p${i}`, type: "ping" }));
  const login = { id: "login", type: "login", account: person.loginName, password: person.password };
  const result = await flood(DESKTOP_PATH, {}, [login, ...pings], async (ask) => {
    await ask({ id: "hello", type: "hello", clientToken });
  });
  expect(result.closeCode).toBe(4429);
  // The password was checked and the person logged in: the client is told so.
  expect(result.replies.get("login")).toMatchObject({ ok: true });
  const refused = [...result.replies.values()].filter((reply) => reply.code === "RATE_LIMITED");
  expect(refused).toHaveLength(DESKTOP_MAX_RATE_VIOLATIONS);
  expectEveryReadFrameAnswered(["login", ...pings.map((ping) => ping.id)], result);
  expect(result.afterClose).toBe(0);
});

it("the popup's 扫码登录 socket: the code made by the first frame is delivered before the close", async () => {
  const keys = await newRequesterKeys();
  const create = { id: "create", type: "qr.create", publicKey: keys.publicKey };
  const pings = Array.from({ length: QR_SOCKET_MESSAGES_PER_MINUTE + 5 }, (_, i) => ({ id: `p${i}`, type: "ping" }));
  const result = await flood(QR_LOGIN_SOCKET_PATH, { origin: EXTENSION_ORIGIN }, [create, ...pings]);
  expect(result.closeCode).toBe(4429);
  expect(result.replies.get("create")).toMatchObject({ ok: true });
  // The limit is 60 frames a minute, and the first frame over it closes: all 60 are answered.
  const accepted = ["create", ...pings.map((ping) => ping.id)].slice(0, QR_SOCKET_MESSAGES_PER_MINUTE);
  expect(accepted.filter((id) => result.replies.get(id)?.ok !== true)).toEqual([]);
});
