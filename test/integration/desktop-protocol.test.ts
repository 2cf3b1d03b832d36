/**
 * What docs/desktop-protocol.md promises a third-party client beyond each request (issue 14, "The
 * protocol for other programs"): `hello` says the protocol version, and when a frame breaks more
 * than one rule the documented refusal is the one it gets. Over real sockets of the real companion.
 */
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { DESKTOP_PATH, DESKTOP_PROTOCOL_VERSION, DESKTOP_RATE_BURST } from "../../shared/desktop/protocol.js";
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

type Reply = { id: string | null; ok: boolean; code?: string; fields?: Record<string, string>; result?: unknown };

/** A raw desktop socket (no Origin): frames go out as given, replies come back in order. */
async function rawDesktop() {
  const socket = new WebSocket(`${companion.url.replace("http", "ws")}${DESKTOP_PATH}`);
  await once(socket, "open");
  const replies: Reply[] = [];
  const waiters: (() => void)[] = [];
  socket.on("message", (data) => {
    const frame = JSON.parse(String(data));
    if ("event" in frame) return;
    replies.push(frame);
    for (const wake of waiters.splice(0)) wake();
  });
  /**
   * Sends each frame (a string as it is, anything else as JSON) and resolves with their replies in
   * the frames' order (replies come as each is ready): by id, and those without one as they came.
   */
  const send = async (...frames: unknown[]): Promise<Reply[]> => {
    const from = replies.length;
    for (const frame of frames) socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    while (replies.length < from + frames.length) await new Promise<void>((wake) => waiters.push(wake));
    const received = replies.slice(from);
    const withoutId = received.filter((reply) => reply.id === null);
    return frames.map((frame) => {
      const id = (frame as { id?: unknown }).id;
      return typeof id === "string" ? received.find((reply) => reply.id === id) : withoutId.shift();
    }) as Reply[];
  };
  return { socket, send, close: () => socket.close() };
}

const refusal = (reply: Reply | undefined) => ({ id: reply?.id, code: reply?.code, fields: reply?.fields });

describe("hello", () => {
  it("answers the protocol version", async () => {
    const desk = await rawDesktop();
    const [hello] = await desk.send({ id: "h", type: "hello", clientToken });
    expect(hello).toMatchObject({ id: "h", ok: true, result: { protocolVersion: DESKTOP_PROTOCOL_VERSION } });
    desk.close();
  });
});

describe("which refusal wins", () => {
  it("before pairing: not JSON is BAD_REQUEST; a type outside pairing is NOT_PAIRED, valid or not; a frame without a known type, or a pairing request that breaks its schema, is VALIDATION_FAILED", async () => {
    const desk = await rawDesktop();
    const replies = await desk.send(
      "{not json",
      { id: "1", type: "units.add", tin: "not a tin" },
      { id: "2", type: "no.such.type" },
      { id: "3", type: "units.list" },
      { id: "4" },
      { id: "5", type: "hello" },
      { id: "6", type: "pair.request", clientName: "" },
      ["not", "an", "object"],
    );
    expect(replies.map(refusal)).toEqual([
      { id: null, code: "BAD_REQUEST", fields: undefined },
      { id: "1", code: "NOT_PAIRED", fields: undefined },
      { id: "2", code: "NOT_PAIRED", fields: undefined },
      { id: "3", code: "NOT_PAIRED", fields: undefined },
      { id: "4", code: "VALIDATION_FAILED", fields: { type: expect.any(String) } },
      { id: "5", code: "VALIDATION_FAILED", fields: { clientToken: expect.any(String) } },
      { id: "6", code: "VALIDATION_FAILED", fields: { clientName: expect.any(String) } },
      { id: null, code: "VALIDATION_FAILED", fields: { _: expect.any(String) } },
    ]);
    desk.close();
  });

  it("paired but not logged in: a frame that breaks its schema is VALIDATION_FAILED before NOT_LOGGED_IN", async () => {
    const desk = await rawDesktop();
    await desk.send({ id: "h", type: "hello", clientToken });
    const replies = await desk.send(
      { id: "1", type: "units.add", tin: "not a tin" },
      { id: "2", type: "units.add", tin: "91440101MA4780001H" },
      { id: "3", type: "units.list", limit: 0 },
    );
    expect(replies.map(refusal)).toEqual([
      { id: "1", code: "VALIDATION_FAILED", fields: { tin: expect.any(String) } },
      { id: "2", code: "NOT_LOGGED_IN", fields: undefined },
      { id: "3", code: "VALIDATION_FAILED", fields: { limit: expect.any(String) } },
    ]);
    desk.close();
  });

  it("over the rate limit, RATE_LIMITED comes before anything else, with the frame's id", async () => {
    const desk = await rawDesktop();
    const burst = Array.from({ length: DESKTOP_RATE_BURST }, (_, i) => ({ id: `p${i}`, type: "ping" }));
    const replies = await desk.send(...burst, { id: "x", type: "units.add", tin: "not a tin" }, "{not json");
    expect(replies.slice(0, DESKTOP_RATE_BURST).every((reply) => reply.ok)).toBe(true);
    expect(replies.slice(DESKTOP_RATE_BURST).map(refusal)).toEqual([
      { id: "x", code: "RATE_LIMITED", fields: undefined },
      { id: null, code: "RATE_LIMITED", fields: undefined },
    ]);
    desk.close();
  });
});
