/**
 * Fuzz of the desktop socket (issue 4, "Tests"): thousands of malformed frames — binary, oversize,
 * bad JSON, wrong shapes, wrong field types, unknown types, huge ids, unicode junk, requests out
 * of order, protocol-level violations and a rate-limit flood — over unpaired, paired and
 * logged-in connections of the real companion. Every frame must get its error reply (the right
 * code, the right id) or end in a close with the right code; the process keeps serving; memory
 * stays bounded. Frames come from fast-check with a seed printed on failure (FUZZ_SEED=… replays).
 */
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  DESKTOP_MAX_RATE_VIOLATIONS,
  DESKTOP_PATH,
  DESKTOP_RATE_BURST,
  DESKTOP_RATE_PER_SECOND,
  type DesktopRequestType,
  desktopEventSchema,
  desktopReplySchema,
  desktopRequestSchema,
  desktopResultSchemas,
  MAX_FRAME_BYTES,
  PAIR_REQUESTS_PER_MINUTE,
} from "../../shared/desktop/protocol.js";
import type { ErrorCode } from "../../shared/errors.js";
import { gb32100CheckChar } from "../../shared/identity/tin.js";
import { api, type RunningCompanion, startCompanion } from "../support/companion.js";
import { pairDesktopClient } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const REPLAY = `(replay with FUZZ_SEED=${SEED})`;

/** Paced connections per state; each sends FRAMES_PER_PACED frames in two halves. */
const PACED_PER_STATE = 5;
const FRAMES_PER_PACED = 320;
/**
 * The companion allows bursts of DESKTOP_RATE_BURST frames and DESKTOP_RATE_PER_SECOND a second per
 * connection; the paced connections stay under it (a burst of 10 fewer, then 2 fewer a second) so
 * every frame there must get its own reply.
 */
const PACE_BURST = DESKTOP_RATE_BURST - 10;
const PACE_PER_SECOND = DESKTOP_RATE_PER_SECOND - 2;
/** Connections that each end with a frame the companion must close on. */
const WS_CLOSERS = 40;
const FLOOD_FRAMES = 300;

type State = "unpaired" | "paired" | "loggedIn";
type Outcome = ErrorCode | "ok";

/** What the generators produce; ids are filled in when sent, so every id is unique on its connection. */
type Template =
  | { kind: "binary"; bytes: Uint8Array }
  | { kind: "text"; text: string }
  /** id "mine": a fresh valid id; { pad }: a fresh id followed by pad (too long); "keep": as generated. */
  | { kind: "json"; value: unknown; id: "mine" | "keep" | { pad: string }; expect?: Outcome };

/** A frame on the wire and the reply it must get. */
interface Frame {
  data: string | Buffer;
  binary: boolean;
  replyId: string | null;
  outcome: Outcome;
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const REQUEST_TYPES = desktopRequestSchema.options.map((option) => option.shape.type.value) as DesktopRequestType[];

const tinOf = (n: number) => {
  const first17 = `91440101MA${String(n).padStart(7, "0")}`;
  return first17 + gb32100CheckChar(first17);
};
/** Well-formed 纳税人识别号 of units that do not exist in this companion. */
const tinArb = fc.oneof(fc.stringMatching(/^\d{15}$/), fc.integer({ min: 0, max: 9_999_999 }).map(tinOf));
const SOME_TIN = tinOf(1);

/** A valid body of each request type, for the generators to break one field at a time. */
const BASE: Record<DesktopRequestType, Record<string, unknown>> = {
  "pair.request": { clientName: "扣缴客户端" },
  hello: { clientToken: "t".repeat(43) },
  captcha: {},
  login: { account: "clerk_fuzz", password: "Secret#2026" },
  logout: {},
  "units.list": {},
  "units.add": { tin: SOME_TIN },
  "units.order": { tin: SOME_TIN, to: "up" },
  "units.order.save": {},
  "units.order.reset": {},
  "unit.enter": { tin: SOME_TIN, declarationPassword: "Qj4pass2026", captchaId: "c1", captchaAnswer: "k7m3" },
  "unit.challenge": { tin: SOME_TIN },
  "unit.enter.ca": {
    tin: SOME_TIN,
    challenge: "c".repeat(43),
    certificates: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    signature: "c2lnbmF0dXJl",
  },
  "unit.leave": { tin: SOME_TIN },
  "qr.create": { publicKey: "A".repeat(392) },
  "qr.redeem": { ref: "r".repeat(22), proof: "p".repeat(43) },
  "qr.scan": { qrText: `taxauth-qr:1:${"r".repeat(22)}.${"f".repeat(43)}` },
  "qr.confirm": { ref: "r".repeat(22) },
  "qr.cancel": { ref: "r".repeat(22) },
  "declaration.forgot": { tin: SOME_TIN },
  "grant.request": { tin: SOME_TIN, permission: "办税权限", termType: "长期", startDate: "2026-11-28", note: "" },
  ping: {},
};

const junkString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "\u0000",
    "\u200b\u200b",
    "\u202eevil",
    "\ufeff",
    "\ud800",
    "\udfff",
    "𠀀𪚥",
    "ｐｉｎｇ",
    "\u3000",
    "%00",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "__proto__",
  ),
);
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined), // dropped by JSON.stringify: a missing field
  fc.constant(""),
  fc.array(junkString, { maxLength: 4 }),
  fc.dictionary(junkString, junkString, { maxKeys: 4 }),
  fc.string({ minLength: 129, maxLength: 600 }),
  fc.array(fc.integer(), { minLength: 1, maxLength: 50 }),
  junkString,
);
const validRequestArb = fc.constantFrom(...REQUEST_TYPES).map((type) => ({ ...BASE[type], type, id: "v1" }));

/** The frame as the companion will see it: the id it must echo, and whether it is a valid request. */
function withDummyId(template: Extract<Template, { kind: "json" }>): unknown {
  const { value, id } = template;
  if (id === "keep" || typeof value !== "object" || value === null || Array.isArray(value)) return value;
  return { ...value, id: id === "mine" ? "x1" : `x1${id.pad}` };
}
const isMalformed = (template: Template) =>
  template.kind !== "json" || !desktopRequestSchema.safeParse(withDummyId(template)).success;
const parsesAsJson = (text: string) => {
  try {
    JSON.parse(Buffer.from(text).toString("utf8"));
    return true;
  } catch {
    return false;
  }
};

const binaryArb: fc.Arbitrary<Template> = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }).map((bytes) => ({ kind: "binary" as const, bytes })),
  // A valid request in a binary frame is still refused: text frames only.
  validRequestArb.map((request) => ({ kind: "binary" as const, bytes: Buffer.from(JSON.stringify(request)) })),
);

const BAD_JSON = [
  "",
  " ",
  "{",
  "}",
  "[",
  "NaN",
  "undefined",
  "{'id':'1','type':'ping'}",
  '{"id":"1","type":"ping",}',
  '\ufeff{"id":"1","type":"ping"}',
  '{"id":"1" "type":"ping"}',
  "\u0000",
  '{"id":"1","type":"ping"}\u0000',
  '{"id":"1","type":"ping"}{"id":"2","type":"ping"}',
  '// comment\n{"id":"1","type":"ping"}',
  '{"id":"1","type":"ping"',
  '{"id":"\\x41","type":"ping"}',
  '{"id":"1","type":"ping","n":01}',
  `${"[".repeat(6000)}`,
];
const invalidJsonArb: fc.Arbitrary<Template> = fc
  .oneof(
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.string({ unit: "grapheme-ascii", maxLength: 300 }),
    // Truncated requests.
    fc.tuple(validRequestArb, fc.nat()).map(([request, n]) => {
      const text = JSON.stringify(request);
      return text.slice(0, n % text.length);
    }),
    // Requests with a stray character.
    fc
      .tuple(validRequestArb, fc.nat(), fc.constantFrom("{", "}", ",", ":", '"', "\\", "'", "\u0000", "\n"))
      .map(([request, n, stray]) => {
        const text = JSON.stringify(request);
        const at = n % text.length;
        return text.slice(0, at) + stray + text.slice(at);
      }),
    fc.constantFrom(...BAD_JSON),
  )
  .filter((text) => !parsesAsJson(text))
  .map((text) => ({ kind: "text" as const, text }));

const RAW_SHAPES = [
  "1e400",
  "-0",
  "123456789012345678901234567890",
  '"ping"',
  "true",
  "{}",
  "[]",
  `${"[".repeat(5000)}${"]".repeat(5000)}`,
  `${'{"a":'.repeat(2000)}1${"}".repeat(2000)}`,
  `{"id":"deep","type":"units.order","tin":${"[".repeat(4000)}${"]".repeat(4000)}}`,
  '{"id":"dup","type":"ping","type":"nope"}',
  '{"type":"ping","id":"dup2","id":42}',
  '{"__proto__":{"id":"proto","type":"ping"}}',
  '{"constructor":{"prototype":{"type":"ping"}},"id":"ctor"}',
];
const wrongShapeArb: fc.Arbitrary<Template> = fc.oneof(
  fc
    .array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 8 })
    .map((value) => ({ kind: "json" as const, value, id: "keep" as const })),
  fc
    .oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), junkString)
    .map((value) => ({ kind: "json" as const, value, id: "keep" as const })),
  fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: "json" as const, value, id: "keep" as const })),
  fc
    .jsonValue({ maxDepth: 3 })
    .filter((value) => typeof value === "object" && value !== null && !Array.isArray(value))
    .map((value) => ({ kind: "json" as const, value, id: "mine" as const })),
  // A batch: an array of valid requests is not a request.
  fc
    .array(validRequestArb, { minLength: 1, maxLength: 5 })
    .map((value) => ({ kind: "json" as const, value, id: "keep" as const })),
  fc.constantFrom(...RAW_SHAPES).map((text) => ({ kind: "text" as const, text })),
);

const wrongFieldsArb: fc.Arbitrary<Template> = fc
  .record({
    type: fc.constantFrom(...REQUEST_TYPES),
    pick: fc.nat(),
    value: wrongValue,
    how: fc.constantFrom("replace", "replace", "drop", "id"),
  })
  .map(({ type, pick, value, how }): Template => {
    const body: Record<string, unknown> = { ...BASE[type], type };
    const keys = Object.keys(BASE[type]);
    if (how === "id" || keys.length === 0) return { kind: "json", value: { ...body, id: value }, id: "keep" };
    const key = keys[pick % keys.length]!;
    if (how === "drop") delete body[key];
    else body[key] = value;
    return { kind: "json", value: body, id: "mine" };
  });

const unknownTypeArb: fc.Arbitrary<Template> = fc
  .record({
    type: fc.oneof(
      junkString,
      fc.constantFrom(
        "PING",
        "ping ",
        " ping",
        "Ping",
        "units_list",
        "units.list.all",
        "unit.enter2",
        "__proto__",
        "constructor",
        "toString",
        "hasOwnProperty",
        "login\u0000",
        "ｐｉｎｇ",
        "pair.approved",
        "client.revoked",
        "session.ended",
      ),
      fc.integer(),
      fc.constant(null),
      fc.constant(undefined),
      fc.array(fc.constantFrom(...REQUEST_TYPES), { maxLength: 2 }),
      fc.dictionary(junkString, junkString, { maxKeys: 2 }),
    ),
    extra: fc.dictionary(junkString, wrongValue, { maxKeys: 5 }),
  })
  .map(({ type, extra }): Template => ({ kind: "json", value: { ...extra, type }, id: "mine" }));

const hugeIdArb: fc.Arbitrary<Template> = fc.oneof(
  fc
    .record({
      type: fc.constantFrom(...REQUEST_TYPES),
      unit: fc.constantFrom("x", "中", "😀", "\u0000", "\ud800"),
      length: fc.integer({ min: 65, max: 12_000 }),
    })
    .map(({ type, unit, length }): Template => {
      // Keep the frame under the size limit: this is about the id, not the size.
      const bytesPerUnit = Buffer.byteLength(JSON.stringify(unit)) - 2;
      const count = Math.min(Math.ceil(length / unit.length), Math.floor(12_000 / bytesPerUnit));
      return { kind: "json", value: { ...BASE[type], type }, id: { pad: unit.repeat(count) } };
    }),
  fc
    .constantFrom(
      '{"id":1e308,"type":"ping"}',
      '{"id":123456789012345678901234567890123,"type":"ping"}',
      '{"id":-1,"type":"units.list"}',
      '{"id":{"$gt":""},"type":"ping"}',
      '{"id":["1"],"type":"ping"}',
      '{"id":"","type":"ping"}',
    )
    .map((text) => ({ kind: "text" as const, text })),
);

/** Valid requests sent where they make no sense yet: each has its refusal, by connection state. */
function outOfOrderArb(state: State): fc.Arbitrary<Template> {
  const by = (unpaired: Outcome, paired: Outcome, loggedIn: Outcome) =>
    state === "unpaired" ? unpaired : state === "paired" ? paired : loggedIn;
  const request = (value: Record<string, unknown>, expect: Outcome): Template => ({
    kind: "json",
    value,
    id: "mine",
    expect,
  });
  const choices: Array<fc.Arbitrary<Template>> = [
    tinArb.map((tin) => request({ type: "unit.leave", tin }, by("NOT_PAIRED", "NOT_LOGGED_IN", "NOT_IN_UNIT"))),
    tinArb.map((tin) => request({ type: "unit.enter", tin }, by("NOT_PAIRED", "NOT_LOGGED_IN", "UNIT_NOT_FOUND"))),
    tinArb.map((tin) => request({ type: "units.add", tin }, by("NOT_PAIRED", "NOT_LOGGED_IN", "UNIT_NOT_FOUND"))),
    tinArb.map((tin) => request({ type: "unit.challenge", tin }, by("NOT_PAIRED", "NOT_LOGGED_IN", "UNIT_NOT_FOUND"))),
    tinArb.map((tin) =>
      request(
        { ...BASE["unit.enter.ca"], type: "unit.enter.ca", tin },
        by("NOT_PAIRED", "NOT_LOGGED_IN", "UNIT_NOT_FOUND"),
      ),
    ),
    // The list is empty: no unit can move.
    fc
      .tuple(tinArb, fc.oneof(fc.constantFrom("up", "down"), fc.integer({ min: 1, max: 1_000_000 })))
      .map(([tin, to]) =>
        request({ type: "units.order", tin, to }, by("NOT_PAIRED", "NOT_LOGGED_IN", "VALIDATION_FAILED")),
      ),
    tinArb.map((tin) =>
      request({ type: "declaration.forgot", tin }, by("NOT_PAIRED", "NOT_LOGGED_IN", "UNIT_NOT_FOUND")),
    ),
    // hello with a junk token: never pairs, and leaves a paired connection paired.
    fc
      .string({ unit: "binary", minLength: 1, maxLength: 128 })
      .filter((clientToken) => clientToken.length <= 128)
      .map((clientToken) => request({ type: "hello", clientToken }, "NOT_PAIRED")),
    // pair.request spam: each replaces the connection's pending request (checked below), up to its limit.
    fc.constantFrom("扣缴客户端", "spam", "x").map((clientName) => request({ type: "pair.request", clientName }, "ok")),
  ];
  if (state !== "loggedIn") {
    choices.push(fc.constant(request({ type: "units.list" }, by("NOT_PAIRED", "NOT_LOGGED_IN", "ok"))));
    choices.push(fc.constant(request({ type: "captcha" }, by("NOT_PAIRED", "ok", "ok"))));
    choices.push(fc.constant(request({ type: "logout" }, by("NOT_PAIRED", "ok", "ok"))));
  }
  // login before pairing is refused before any password work.
  if (state === "unpaired")
    choices.push(
      fc
        .record({
          account: fc.string({ minLength: 1, maxLength: 20 }),
          password: fc.string({ minLength: 1, maxLength: 20 }),
        })
        .filter(({ account }) => account.trim().length > 0)
        .map((credentials) => request({ type: "login", ...credentials }, "NOT_PAIRED")),
    );
  return fc.oneof(...choices);
}

function frameArb(state: State): fc.Arbitrary<Template> {
  return fc.oneof(
    { arbitrary: binaryArb, weight: 8 },
    { arbitrary: invalidJsonArb, weight: 15 },
    { arbitrary: wrongShapeArb.filter(isMalformed), weight: 15 },
    { arbitrary: wrongFieldsArb.filter(isMalformed), weight: 20 },
    { arbitrary: unknownTypeArb.filter(isMalformed), weight: 12 },
    { arbitrary: hugeIdArb.filter(isMalformed), weight: 8 },
    { arbitrary: outOfOrderArb(state), weight: 22 },
  );
}

/** Gives a template its id and computes the reply it must get, as the companion reads the frame. */
function materialize(template: Template, uid: string, state: State): Frame | null {
  if (template.kind === "binary") {
    return { data: Buffer.from(template.bytes), binary: true, replyId: null, outcome: "BAD_REQUEST" };
  }
  let text: string;
  if (template.kind === "text") text = template.text;
  else {
    const { value, id } = template;
    const object = typeof value === "object" && value !== null && !Array.isArray(value);
    text = JSON.stringify(object && id !== "keep" ? { ...value, id: id === "mine" ? uid : uid + id.pad } : value);
  }
  if (text === undefined || Buffer.byteLength(text) > MAX_FRAME_BYTES) return null;
  // Through UTF-8 and back, as the companion receives it (lone surrogates become U+FFFD).
  const received = Buffer.from(text).toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(received);
  } catch {
    return { data: text, binary: false, replyId: null, outcome: "BAD_REQUEST" };
  }
  const id = (parsed as { id?: unknown } | null)?.id;
  const replyId = typeof id === "string" ? id.slice(0, 64) : null;
  // Unpaired, the companion reads only the type: anything but pairing is NOT_PAIRED, unvalidated.
  const type = (parsed as { type?: unknown } | null)?.type;
  if (state === "unpaired" && typeof type === "string" && !["pair.request", "hello", "ping"].includes(type)) {
    return { data: text, binary: false, replyId, outcome: "NOT_PAIRED" };
  }
  const expected = template.kind === "json" ? template.expect : undefined;
  const valid = desktopRequestSchema.safeParse(parsed).success;
  if (expected === undefined && valid) return null; // a generator made a valid request by chance
  if (expected !== undefined && !valid) throw new Error(`out-of-order request is malformed: ${text} ${REPLAY}`);
  return { data: text, binary: false, replyId, outcome: expected ?? "VALIDATION_FAILED" };
}

let uidSerial = 0;
function framesFor(state: State, count: number, seed: number): Frame[] {
  const frames: Frame[] = [];
  let pairRequests = 0;
  for (const template of fc.sample(frameArb(state), { seed, numRuns: Math.ceil(count * 1.25) })) {
    uidSerial += 1;
    const frame = materialize(template, `f${uidSerial}`, state);
    // One connection's pair.request spam: past the per-connection limit (the test takes less than
    // a minute), refused.
    if (frame?.outcome === "ok" && JSON.parse(String(frame.data)).type === "pair.request") {
      pairRequests += 1;
      if (pairRequests > PAIR_REQUESTS_PER_MINUTE) frame.outcome = "RATE_LIMITED";
    }
    if (frame) frames.push(frame);
    if (frames.length === count) break;
  }
  return frames;
}

// ---------------------------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CHINESE = /[\u3400-\u9fff]/;
const STACK_TRACE = /\n\s+at |node:internal|file:\/\/|\.(?:ts|js):\d+/;
const keyOf = (id: string | null, outcome: Outcome) => `${id ?? "<null>"}\u0000${outcome}`;

/** A desktop connection that sends frames and matches every reply to the frame it answers. */
class Probe {
  /** Replies still owed, by id and outcome; once closed, what is still owed ended in the close. */
  private readonly owed = new Map<string, number>();
  owedCount = 0;
  sent = 0;
  replied = 0;
  readonly outcomes = new Map<string, number>();
  readonly problems: string[] = [];
  largestReply = 0;
  closeCode: number | null = null;
  readonly closed: Promise<number>;
  private setupSerial = 0;
  private readonly setupWaiters = new Map<string, (reply: Record<string, unknown>) => void>();

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) =>
      socket.once("close", (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
    socket.on("message", (data: Buffer, isBinary: boolean) => this.receive(data, isBinary));
    socket.on("error", () => {});
  }

  static async open(companion: RunningCompanion): Promise<Probe> {
    const socket = new WebSocket(`${companion.url.replace("http", "ws")}${DESKTOP_PATH}`, {
      perMessageDeflate: false,
    });
    await once(socket, "open");
    return new Probe(socket);
  }

  /** A request of the setup (hello, login) whose reply is awaited, outside the fuzz accounting. */
  async request(type: DesktopRequestType, body: Record<string, unknown> = {}): Promise<unknown> {
    const id = `setup-${++this.setupSerial}`;
    const reply = new Promise<Record<string, unknown>>((resolve) => this.setupWaiters.set(id, resolve));
    this.socket.send(JSON.stringify({ ...body, id, type }));
    const answer = await reply;
    if (!answer.ok) throw new Error(`${type}: ${JSON.stringify(answer)}`);
    return desktopResultSchemas[type].parse(answer.result);
  }

  send(frame: Frame): void {
    const key = keyOf(frame.replyId, frame.outcome);
    this.owed.set(key, (this.owed.get(key) ?? 0) + 1);
    this.owedCount += 1;
    this.sent += 1;
    this.socket.send(frame.data, { binary: frame.binary });
  }

  /** Resolves once every frame has its reply, or the connection closed, or the time is up. */
  async settle(timeoutMs = 15_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.owedCount > 0 && this.closeCode === null && performance.now() < deadline) await sleep(20);
  }

  close(): void {
    this.socket.close();
  }

  private receive(data: Buffer, isBinary: boolean): void {
    this.largestReply = Math.max(this.largestReply, data.length);
    const text = data.toString("utf8");
    let message: unknown;
    try {
      if (isBinary) throw new Error("binary");
      message = JSON.parse(text);
    } catch {
      this.problems.push(`not a JSON text frame: ${text.slice(0, 120)}`);
      return;
    }
    if (desktopEventSchema.safeParse(message).success) {
      this.problems.push(`unexpected event: ${text.slice(0, 120)}`);
      return;
    }
    const reply = desktopReplySchema.safeParse(message);
    if (!reply.success) {
      this.problems.push(`reply outside the protocol: ${text.slice(0, 200)}`);
      return;
    }
    const { id } = reply.data;
    if (id?.startsWith("setup-")) {
      this.setupWaiters.get(id)?.(message as Record<string, unknown>);
      this.setupWaiters.delete(id);
      return;
    }
    const outcome: Outcome = reply.data.ok ? "ok" : reply.data.code;
    if (!reply.data.ok && !CHINESE.test(reply.data.message)) this.problems.push(`message not Chinese: ${text}`);
    if (STACK_TRACE.test(text)) this.problems.push(`looks like a stack trace: ${text.slice(0, 300)}`);
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    const key = keyOf(id, outcome);
    const owed = this.owed.get(key) ?? 0;
    if (owed === 0) {
      this.problems.push(`reply to no frame sent (or the wrong code): ${text.slice(0, 200)}`);
      return;
    }
    if (owed === 1) this.owed.delete(key);
    else this.owed.set(key, owed - 1);
    this.owedCount -= 1;
    this.replied += 1;
  }

  /** What is still owed, for failure messages. */
  owedSummary(): string {
    return [...this.owed.entries()]
      .slice(0, 5)
      .map(([key, n]) => `${n}× ${key.replace("\u0000", " → ").slice(0, 120)}`)
      .join("; ");
  }
}

/** Sends frames no faster than the paced budget (burst PACE_BURST, then PACE_PER_SECOND a second). */
async function sendPaced(probe: Probe, frames: Frame[]): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < frames.length; i++) {
    const due = start + Math.max(0, i - PACE_BURST + 1) * (1000 / PACE_PER_SECOND);
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (probe.closeCode !== null) return;
    probe.send(frames[i]!);
  }
}

// ---------------------------------------------------------------------------------------------
// Protocol-level violations on a raw TCP socket (what the `ws` client will not send)
// ---------------------------------------------------------------------------------------------

interface RawFrame {
  opcode: number;
  payload?: Buffer;
  fin?: boolean;
  rsv?: number;
  masked?: boolean;
  /** A 64-bit declared length, sent without the payload. */
  declaredLength?: bigint;
}

function encodeRaw({
  opcode,
  payload = Buffer.alloc(0),
  fin = true,
  rsv = 0,
  masked = true,
  declaredLength,
}: RawFrame) {
  const head = [((fin ? 0x80 : 0) | (rsv << 4) | opcode) & 0xff];
  const mask = masked ? 0x80 : 0;
  let length = Buffer.alloc(0);
  if (declaredLength !== undefined) {
    head.push(mask | 127);
    length = Buffer.alloc(8);
    length.writeBigUInt64BE(declaredLength);
  } else if (payload.length < 126) head.push(mask | payload.length);
  else {
    head.push(mask | 126);
    length = Buffer.alloc(2);
    length.writeUInt16BE(payload.length);
  }
  if (declaredLength !== undefined)
    return Buffer.concat([Buffer.from(head), length, masked ? randomBytes(4) : Buffer.alloc(0)]);
  if (!masked) return Buffer.concat([Buffer.from(head), length, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), length, key, body]);
}

const closePayload = (code: number) => {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(code);
  return buffer;
};

/** Each violation and the close code RFC 6455 (and `ws`) answer it with. */
const RAW_CASES: Array<{ name: string; frames: RawFrame[]; code: number }> = [
  { name: "unmasked client frame", frames: [{ opcode: 1, payload: Buffer.from("{}"), masked: false }], code: 1002 },
  { name: "RSV1 without an extension", frames: [{ opcode: 1, payload: Buffer.from("{}"), rsv: 4 }], code: 1002 },
  { name: "RSV2 and RSV3", frames: [{ opcode: 1, payload: Buffer.from("{}"), rsv: 3 }], code: 1002 },
  { name: "reserved data opcode 3", frames: [{ opcode: 3, payload: Buffer.from("x") }], code: 1002 },
  { name: "reserved control opcode 0xB", frames: [{ opcode: 0xb }], code: 1002 },
  { name: "fragmented ping", frames: [{ opcode: 9, fin: false }], code: 1002 },
  { name: "ping over 125 bytes", frames: [{ opcode: 9, payload: Buffer.alloc(126) }], code: 1002 },
  { name: "continuation with nothing to continue", frames: [{ opcode: 0, payload: Buffer.from("x") }], code: 1002 },
  {
    name: "new text frame inside a fragmented message",
    frames: [
      { opcode: 1, payload: Buffer.from('{"id":'), fin: false },
      { opcode: 1, payload: Buffer.from("1}") },
    ],
    code: 1002,
  },
  { name: "64-bit length beyond 2^53", frames: [{ opcode: 1, declaredLength: 2n ** 63n }], code: 1009 },
  { name: "4 GiB declared, no payload", frames: [{ opcode: 2, declaredLength: 2n ** 32n }], code: 1009 },
  { name: "invalid UTF-8 text", frames: [{ opcode: 1, payload: Buffer.from([0x7b, 0xff, 0x7d]) }], code: 1007 },
  { name: "close with status 999", frames: [{ opcode: 8, payload: closePayload(999) }], code: 1002 },
  { name: "close with a 1-byte payload", frames: [{ opcode: 8, payload: Buffer.from([3]) }], code: 1002 },
  {
    name: "close with an invalid UTF-8 reason",
    frames: [{ opcode: 8, payload: Buffer.concat([closePayload(1000), Buffer.from([0xc0, 0x80])]) }],
    code: 1007,
  },
];

/** Upgrades a raw socket as a desktop client does; resolves with the socket and the close code to come. */
async function rawConnection(companion: RunningCompanion): Promise<{ socket: Socket; closeCode: Promise<number> }> {
  const socket = connect(companion.port, "127.0.0.1");
  await once(socket, "connect");
  socket.write(
    [
      `GET ${DESKTOP_PATH} HTTP/1.1`,
      `Host: 127.0.0.1:${companion.port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      "Sec-WebSocket-Version: 13",
      "",
      "",
    ].join("\r\n"),
  );
  let buffer = Buffer.alloc(0);
  let upgraded: () => void = () => {};
  const switched = new Promise<void>((resolve) => {
    upgraded = resolve;
  });
  let headerDone = false;
  const closeCode = new Promise<number>((resolve) => {
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!headerDone) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        if (!buffer.subarray(0, end).toString().startsWith("HTTP/1.1 101")) return resolve(-1);
        headerDone = true;
        buffer = buffer.subarray(end + 4);
        upgraded();
      }
      // Server frames are unmasked; find the close frame (opcode 8) and its status code.
      while (buffer.length >= 2) {
        const opcode = buffer[0]! & 0x0f;
        const length = buffer[1]! & 0x7f;
        if (length >= 126 || buffer.length < 2 + length) return;
        if (opcode === 8) return resolve(length >= 2 ? buffer.readUInt16BE(2) : 1005);
        buffer = buffer.subarray(2 + length);
      }
    });
    socket.on("close", () => resolve(1006));
    socket.on("error", () => {});
  });
  await Promise.race([switched, closeCode]);
  return { socket, closeCode };
}

// ---------------------------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------------------------

/** A real full GC even without --expose-gc (the flag can be set at run time for a new context). */
function fullGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}
const gc = fullGc();
async function heapAfterGc(): Promise<{ heapMb: number; rssMb: number }> {
  // WeakRef targets live to the end of the current job: let it end, twice, around the collection.
  for (let i = 0; i < 2; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  const { heapUsed, rss } = process.memoryUsage();
  return { heapMb: heapUsed / 2 ** 20, rssMb: rss / 2 ** 20 };
}

// ---------------------------------------------------------------------------------------------
// Frames the companion must close on, sent with the `ws` client
// ---------------------------------------------------------------------------------------------

interface Closer {
  name: string;
  /** How many of its frames get a reply before the close. */
  replies: number;
  code: number;
  send(probe: Probe): void;
}

/** A frame sent through the probe: owed a reply unless the companion closes first. */
const text = (data: string | Buffer, binary = false): Frame => ({
  data,
  binary,
  replyId: null,
  outcome: "BAD_REQUEST",
});

const closerArb: fc.Arbitrary<Closer> = fc.oneof(
  fc
    .integer({ min: MAX_FRAME_BYTES + 1, max: 4 * MAX_FRAME_BYTES })
    .map(
      (n): Closer => ({ name: `text of ${n} bytes`, replies: 0, code: 1009, send: (p) => p.send(text("x".repeat(n))) }),
    ),
  // Under the limit in UTF-16 code units, over it in UTF-8 bytes: the limit is in bytes.
  fc.integer({ min: Math.ceil(MAX_FRAME_BYTES / 3) + 1, max: MAX_FRAME_BYTES }).map(
    (n): Closer => ({
      name: `${n} 中 (${3 * n} bytes)`,
      replies: 0,
      code: 1009,
      send: (p) => p.send(text(JSON.stringify({ id: "1", type: "pair.request", clientName: "中".repeat(n) }))),
    }),
  ),
  fc.integer({ min: MAX_FRAME_BYTES + 1, max: 4 * MAX_FRAME_BYTES }).map(
    (n): Closer => ({
      name: `binary of ${n} bytes`,
      replies: 0,
      code: 1009,
      send: (p) => p.send(text(randomBytes(n), true)),
    }),
  ),
  // Fragments each under the limit, over it together: one message.
  fc.integer({ min: 2, max: 8 }).map(
    (parts): Closer => ({
      name: `${parts} fragments over the limit`,
      replies: 0,
      code: 1009,
      send: (p) => {
        const size = Math.ceil((MAX_FRAME_BYTES + 1) / parts) + 1;
        for (let i = 0; i < parts; i++) p.socket.send("y".repeat(size), { fin: i === parts - 1 });
        p.sent += 1;
      },
    }),
  ),
  // Exactly at the limit is read (and refused as bad JSON); one byte more closes.
  fc.constant<Closer>({
    name: "at the limit, then one byte over",
    replies: 1,
    code: 1009,
    send: (p) => {
      p.send(text("z".repeat(MAX_FRAME_BYTES)));
      p.send(text("z".repeat(MAX_FRAME_BYTES + 1)));
    },
  }),
  fc
    .constantFrom(
      [0xff],
      [0xc0, 0x80], // overlong NUL
      [0xed, 0xa0, 0x80], // a UTF-16 surrogate in UTF-8
      [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
      [0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0xe4, 0xb8], // truncated 中
    )
    .map(
      (bytes): Closer => ({
        name: `invalid UTF-8 ${Buffer.from(bytes).toString("hex")}`,
        replies: 0,
        code: 1007,
        send: (p) => p.send(text(Buffer.from(bytes))),
      }),
    ),
);

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

let companion: RunningCompanion;
let person: TestPerson;
let clientToken: string;
beforeAll(async () => {
  companion = await startCompanion();
  person = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  const token = await loginToken(companion, person);
  const pairing = await pairDesktopClient(companion, token, "扣缴客户端 (fuzz)");
  clientToken = pairing.clientToken;
  pairing.client.close();
});
afterAll(() => companion?.close());

describe("desktop socket fuzz", () => {
  it("answers thousands of malformed frames with an error or a close, keeps serving, and stays bounded", async () => {
    const wss = companion.app.websocketServer;
    /** Every server-side connection, weakly: each must be collectable once closed. */
    const serverSockets: Array<WeakRef<object>> = [];
    const track = (socket: object) => serverSockets.push(new WeakRef(socket));
    wss.on("connection", track);

    const openAs = async (state: State): Promise<Probe> => {
      const probe = await Probe.open(companion);
      if (state !== "unpaired") await probe.request("hello", { clientToken });
      if (state === "loggedIn") await probe.request("login", { account: person.loginName, password: person.password });
      return probe;
    };

    // Warm the paths once, then the baseline.
    const warm = await openAs("loggedIn");
    for (const frame of framesFor("loggedIn", 30, SEED - 1)) warm.send(frame);
    await warm.settle();
    warm.close();
    await warm.closed;
    const baseline = await heapAfterGc();

    // 1. Paced connections in each state: every frame must get exactly its reply.
    const states: State[] = ["unpaired", "paired", "loggedIn"];
    const paced = await Promise.all(
      states.flatMap((state, s) =>
        Array.from({ length: PACED_PER_STATE }, async (_, i) => {
          const probe = await openAs(state);
          const frames = framesFor(state, FRAMES_PER_PACED, SEED + s * 100 + i);
          return { state, probe, halves: [frames.slice(0, frames.length / 2), frames.slice(frames.length / 2)] };
        }),
      ),
    );

    // 2. Meanwhile: connections that end in a close, and one that floods past the rate limit.
    const closers = (async () => {
      const results: Array<{ name: string; code: number; expected: number; sent: number; replied: number }> = [];
      const cases = fc.sample(closerArb, { seed: SEED + 7, numRuns: WS_CLOSERS });
      for (let i = 0; i < cases.length; i += 8) {
        await Promise.all(
          cases.slice(i, i + 8).map(async (closer, j) => {
            const state: State = j % 2 === 0 ? "unpaired" : "paired";
            const probe = await openAs(state);
            for (const frame of framesFor(state, 3, SEED + 1000 + i + j)) probe.send(frame);
            await probe.settle();
            const before = probe.replied;
            closer.send(probe);
            const code = await probe.closed;
            results.push({ name: closer.name, code, expected: closer.code, sent: probe.sent, replied: probe.replied });
            expect(probe.problems, REPLAY).toEqual([]);
            expect(probe.replied - before, `${closer.name} ${REPLAY}`).toBe(closer.replies);
          }),
        );
      }
      for (const { name, frames, code } of RAW_CASES) {
        const { socket, closeCode } = await rawConnection(companion);
        for (const frame of frames) socket.write(encodeRaw(frame));
        results.push({ name: `raw: ${name}`, code: await closeCode, expected: code, sent: frames.length, replied: 0 });
        socket.destroy();
      }
      return results;
    })();
    const flood = (async () => {
      const probe = await openAs("unpaired");
      // All at once: the first DESKTOP_RATE_BURST are answered, the next DESKTOP_MAX_RATE_VIOLATIONS are
      // RATE_LIMITED, the one after closes the connection (4429); the rest are never read.
      for (let i = 0; i < FLOOD_FRAMES; i++) probe.send(text(`not json ${i}`));
      const rateLimited: unknown[] = [];
      probe.socket.on("message", (data: Buffer) => {
        const reply = JSON.parse(data.toString());
        if (reply.code === "RATE_LIMITED") rateLimited.push(reply);
      });
      const code = await probe.closed;
      return { probe, code, rateLimited };
    })();

    // Awaited below; a failure inside them must not count as an unhandled rejection meanwhile.
    closers.catch(() => {});
    flood.catch(() => {});

    let midway = baseline;
    for (const half of [0, 1]) {
      await Promise.all(paced.map(({ probe, halves }) => sendPaced(probe, halves[half]!)));
      await Promise.all(paced.map(({ probe }) => probe.settle()));
      for (const { state, probe } of paced) {
        expect(probe.problems, `${state} ${REPLAY}`).toEqual([]);
        expect(probe.owedCount, `${state}: unanswered ${probe.owedSummary()} ${REPLAY}`).toBe(0);
        expect(probe.closeCode, `${state} ${REPLAY}`).toBeNull();
      }
      if (half === 0) {
        midway = await heapAfterGc();
        await sleep(1000); // let the companion's token buckets refill before the second half
      }
    }
    const secondHalf = await heapAfterGc();

    // pair.request spam: one pending request per connection at most, whatever the spam.
    expect(companion.app.core.desktopPairing.pendingCount()).toBeLessThanOrEqual(paced.length);

    const closed = await closers;
    const { probe: flooder, code: floodCode, rateLimited } = await flood;

    // The companion still serves: /healthz, and a paired client on a fresh connection.
    const health = await api(companion, "/healthz");
    expect(health.status).toBe(200);
    expect(health.body.status).toBe("ok");
    const after = await openAs("paired");
    expect(await after.request("ping")).toEqual({});
    after.close();

    for (const { probe } of paced) probe.close();
    await Promise.all(paced.map(({ probe }) => probe.closed));
    for (let i = 0; i < 100 && wss.clients.size > 0; i++) await sleep(20);
    wss.off("connection", track);
    expect(wss.clients.size).toBe(0);
    expect(companion.app.core.desktopPairing.pendingCount()).toBe(0);
    // Work the closed connections started (ending their logins, telling the office) may still be
    // on its way to the database, PostgreSQL's round trips being slower: give it up to 10 s.
    let end = await heapAfterGc();
    let survivors = serverSockets.filter((ref) => ref.deref() !== undefined).length;
    for (let i = 0; i < 20 && survivors > 0; i++) {
      await sleep(500);
      end = await heapAfterGc();
      survivors = serverSockets.filter((ref) => ref.deref() !== undefined).length;
    }

    // Accounting: every frame sent was answered, or ended in (or after) a close.
    const pacedSent = paced.reduce((n, { probe }) => n + probe.sent, 0);
    const pacedReplied = paced.reduce((n, { probe }) => n + probe.replied, 0);
    const closerSent = closed.reduce((n, c) => n + c.sent, 0);
    const closerReplied = closed.reduce((n, c) => n + c.replied, 0);
    const outcomes = new Map<string, number>();
    for (const { probe } of [...paced, { probe: flooder }])
      for (const [outcome, n] of probe.outcomes) outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + n);
    const total = pacedSent + closerSent + flooder.sent;
    const replied = pacedReplied + closerReplied + flooder.replied + rateLimited.length;
    console.info(
      [
        `desktop fuzz ${REPLAY}: ${total} frames, ${replied} answered, ${total - replied} ended in a close`,
        `  paced: ${pacedSent} sent over ${paced.length} connections, ${pacedReplied} answered`,
        `  closers: ${closed.length} connections, ${closerSent} frames, codes ${[...new Set(closed.map((c) => c.code))].join(", ")}`,
        `  flood: ${flooder.sent} sent, ${flooder.replied} answered, ${rateLimited.length} RATE_LIMITED, close ${floodCode}`,
        `  outcomes: ${[...outcomes].map(([k, n]) => `${k} ${n}`).join(", ")}`,
        `  companion error-level log lines for client protocol violations: ${companion.logs.filter((l) => /"level":50.*"code":"WS_ERR_/.test(l)).length}`,
        `  largest reply: ${Math.max(...paced.map(({ probe }) => probe.largestReply))} bytes`,
        `  heap MB: baseline ${baseline.heapMb.toFixed(1)}, midway ${midway.heapMb.toFixed(1)}, after second half ${secondHalf.heapMb.toFixed(1)}, end ${end.heapMb.toFixed(1)}`,
        `  rss MB: baseline ${baseline.rssMb.toFixed(1)}, end ${end.rssMb.toFixed(1)}; server sockets still reachable: ${survivors}/${serverSockets.length}`,
      ].join("\n"),
    );

    expect(total).toBeGreaterThanOrEqual(5000);
    expect(pacedReplied).toBe(pacedSent);
    for (const c of closed) expect(c.code, `${c.name} ${REPLAY}`).toBe(c.expected);
    expect(floodCode).toBe(4429);
    expect(flooder.problems.filter((p) => !p.includes("RATE_LIMITED"))).toEqual([]);
    expect(flooder.replied).toBeGreaterThanOrEqual(DESKTOP_RATE_BURST);
    expect(flooder.replied).toBeLessThan(DESKTOP_RATE_BURST + 5); // a few tokens may refill meanwhile
    expect(rateLimited).toHaveLength(DESKTOP_MAX_RATE_VIOLATIONS);
    expect(rateLimited).toContainEqual({
      id: null,
      ok: false,
      code: "RATE_LIMITED",
      message: expect.any(String),
      retryAfter: 1,
    });
    // Nothing the companion did failed. (A client's protocol violation reaches the log at error
    // level, with a stack, through @fastify/websocket's default errorHandler: WS_ERR_* codes. That
    // is reported as a finding, not asserted here.)
    const errorLogs = companion.logs.filter((line) => /"level":(?:5\d|60)/.test(line));
    expect(errorLogs.filter((line) => !/"code":"WS_ERR_[A-Z0-9_]+"/.test(line))).toEqual([]);

    // Memory. The companion runs in this process, so its heap is this heap.
    // - Every server-side connection object is collectable once closed and its last work done: no
    //   timer, listener or registry (pairing, unit sessions) keeps a closed connection alive.
    //   Exact, not a bound.
    expect(survivors).toBe(0);
    // - Between the two halves, ~2,400 more malformed frames went through the same open
    //   connections. A per-frame leak of even ~4 KB (a parsed frame, a zod error, a reply) would
    //   add ~10 MB; noise (JIT code, vitest bookkeeping, the companion's in-memory log lines) is
    //   ~1–3 MB. 16 MB is generous and still catches per-frame retention.
    expect(secondHalf.heapMb - midway.heapMb).toBeLessThan(16);
    // - Overall, against the baseline after warm-up: 64 MB is far above what ~75 closed
    //   connections and 5,000 frames may legitimately leave (V8 code and feedback, log lines, this
    //   test's own counters), and catches gross growth such as buffering oversize frames or
    //   keeping closed connections (each holds socket buffers of tens of KB).
    expect(end.heapMb - baseline.heapMb).toBeLessThan(64);
  });
});
