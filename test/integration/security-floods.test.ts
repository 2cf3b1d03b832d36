/**
 * Floods from a hostile local process, over real sockets: a local program can open as many
 * unpaired desktop connections and 扫码登录 sockets as it likes (the latter with our extension's
 * Origin, which any process can send). Pending pairing requests and QR codes are capped per
 * connection and in all, so that none of it keeps the real desktop client from pairing or the real
 * popup from showing a QR code; the popup never lists requests (the person types the code); and
 * the names clients give are cleaned.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DesktopClient, DesktopError } from "../../shared/desktop/client.js";
import type { DesktopEvent } from "../../shared/desktop/protocol.js";
import {
  DESKTOP_PROTOCOL_VERSION,
  PAIR_REQUESTS_PER_MINUTE,
  PAIRING_MAX_PENDING,
} from "../../shared/desktop/protocol.js";
import { QR_CREATES_PER_CONNECTION, QR_MAX_PENDING } from "../../shared/qr-login/contract.js";
import { newRequesterKeys } from "../../shared/qr-login/requester-keys.js";
import { api, manualClock, type RunningCompanion, startCompanion } from "../support/companion.js";
import { approvePairing, connectDesktop, pairDesktopClient } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson } from "../support/people.js";
import { connectQrSocket, showQr } from "../support/qr.js";

let companion: RunningCompanion;
let clock: ReturnType<typeof manualClock>;
let token: string;
const opened: DesktopClient[] = [];

beforeEach(async () => {
  clock = manualClock(Date.now());
  companion = await startCompanion({ clock });
  token = await loginToken(companion, await registerPerson(companion, newPerson({ name: "宋晓明" })));
});
afterEach(async () => {
  for (const client of opened.splice(0)) client.close();
  await companion.close();
});

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: "accepted" }),
    (error: unknown) => (error instanceof DesktopError ? error.body : { code: String(error) }),
  );

/** `n` connections made by `connect`, a few at a time, closed after the test; each hears into `events`. */
async function many(n: number, connect: () => Promise<DesktopClient>, events: DesktopEvent[] = []) {
  const clients: DesktopClient[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, connect));
    for (const client of batch) client.onEvent((event) => events.push(event));
    clients.push(...batch);
  }
  opened.push(...clients);
  return clients;
}

const pendingPairings = async () => (await api(companion, "/api/desktop/pairings", { token })).body;

describe("pairing floods", () => {
  it("500 unauthenticated requests: the popup gets a count, not their names or codes; the real client still pairs", async () => {
    const flood = await many(500, () => connectDesktop(companion));
    const floodCodes = await Promise.all(
      flood.map(async (client, i) => (await client.request("pair.request", { clientName: `扣缴客户端 ${i}` })).code),
    );
    expect(new Set(floodCodes).size).toBe(500);

    const real = await connectDesktop(companion);
    opened.push(real);
    const approved = real.nextEvent("pair.approved");
    const { code } = await real.request("pair.request", { clientName: "财务室电脑" });
    // All the popup learns of the requests: how many there are.
    expect(await pendingPairings()).toEqual({ pending: 501 });
    await approvePairing(companion, token, code, "财务室电脑");
    expect((await approved).clientToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await pendingPairings()).toEqual({ pending: 500 });
    expect((await api(companion, "/api/desktop/clients", { token })).body.items).toMatchObject([
      { name: "财务室电脑" },
    ]);
  });

  it(`past ${PAIRING_MAX_PENDING} waiting requests the oldest goes (pair.expired): a new request always gets in`, async () => {
    const events: DesktopEvent[] = [];
    const [first, ...rest] = await many(PAIRING_MAX_PENDING, () => connectDesktop(companion), events);
    const firstExpired = first!.nextEvent("pair.expired");
    const { code: firstCode } = await first!.request("pair.request", { clientName: "最早的请求" });
    await Promise.all(rest.map((client) => client.request("pair.request", { clientName: "扣缴客户端" })));
    expect(await pendingPairings()).toEqual({ pending: PAIRING_MAX_PENDING });
    expect(events).toEqual([]);

    const real = await connectDesktop(companion);
    opened.push(real);
    const approved = real.nextEvent("pair.approved");
    const { code } = await real.request("pair.request", { clientName: "财务室电脑" });
    expect(await firstExpired).toEqual({ event: "pair.expired" });
    expect(events).toEqual([{ event: "pair.expired" }]);
    expect(await pendingPairings()).toEqual({ pending: PAIRING_MAX_PENDING });
    // The pushed-out code reaches nothing any more; the new one pairs.
    expect((await api(companion, "/api/desktop/pairings/find", { token, body: { code: firstCode } })).body.code).toBe(
      "PAIRING_NOT_FOUND",
    );
    await approvePairing(companion, token, code, "财务室电脑");
    await approved;
  });

  it(`one connection holds one request and may ask ${PAIR_REQUESTS_PER_MINUTE} times a minute`, async () => {
    const client = await connectDesktop(companion);
    opened.push(client);
    const codes: string[] = [];
    for (let i = 0; i < PAIR_REQUESTS_PER_MINUTE; i++) {
      codes.push((await client.request("pair.request", { clientName: "扣缴客户端" })).code);
    }
    expect(await refusal(client.request("pair.request", { clientName: "扣缴客户端" }))).toMatchObject({
      code: "RATE_LIMITED",
      retryAfter: 60,
    });
    // Each request replaced the one before: only the last code leads anywhere.
    expect(await pendingPairings()).toEqual({ pending: 1 });
    const find = (code: string) => api(companion, "/api/desktop/pairings/find", { token, body: { code } });
    expect((await find(codes[0]!)).body.code).toBe("PAIRING_NOT_FOUND");
    expect((await find(codes.at(-1)!)).body).toMatchObject({ clientName: "扣缴客户端", expiresIn: 300 });
    clock.advance(60_000);
    expect(await client.request("pair.request", { clientName: "扣缴客户端" })).toMatchObject({ expiresIn: 300 });
  });

  it("only the typed code approves; wrong codes are limited per person, the right one included while locked", async () => {
    const client = await connectDesktop(companion);
    opened.push(client);
    const { code } = await client.request("pair.request", { clientName: "财务室电脑" });
    const wrong = code === "000000" ? "000001" : "000000";
    const call = (action: "find" | "approve" | "deny", typed: string, as = token) =>
      api(companion, `/api/desktop/pairings/${action}`, { token: as, body: { code: typed } });

    // A code in another shape is a field error, not a wrong code.
    expect((await call("approve", "12345")).body).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: { code: "请输入桌面客户端上显示的6位配对码" },
    });
    for (const action of ["approve", "deny", "find", "approve", "find"] as const) {
      expect((await call(action, wrong)).body).toMatchObject({
        code: "PAIRING_NOT_FOUND",
        message: "配对码不正确或配对请求已过期，请核对桌面客户端上显示的配对码",
      });
    }
    const locked = await call("approve", code);
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({ code: "PAIRING_CODE_LOCKED", retryAfter: 300 });
    // Another person is not held back by these tries.
    const other = await loginToken(companion, await registerPerson(companion, newPerson({ name: "李四" })));
    expect((await call("find", code, other)).body).toMatchObject({ clientName: "财务室电脑" });

    // The pause lasts as long as a request: the client asks again, and the person types its new code.
    clock.advance(300_000);
    const approved = client.nextEvent("pair.approved");
    const again = await client.request("pair.request", { clientName: "财务室电脑" });
    expect((await call("approve", again.code)).body).toMatchObject({ name: "财务室电脑" });
    await approved;
  });
});

describe("client names", () => {
  it("controls, line breaks, bidi overrides and zero-width characters are gone before anyone sees the name", async () => {
    const client = await connectDesktop(companion);
    opened.push(client);
    const approved = client.nextEvent("pair.approved");
    const { code } = await client.request("pair.request", {
      // Shown as is, U+202E would make it read "扣缴客户端….exe" backwards.
      clientName: "\u202Eexe.\u202C扣缴\u200B客户端\n(财务室)\u0007\u2066\uFEFF  电脑\r\n",
    });
    const cleaned = "exe.扣缴客户端 (财务室) 电脑";
    expect((await api(companion, "/api/desktop/pairings/find", { token, body: { code } })).body.clientName).toBe(
      cleaned,
    );
    await approvePairing(companion, token, code, cleaned);
    const { clientToken } = await approved;
    expect((await api(companion, "/api/desktop/clients", { token })).body.items).toMatchObject([{ name: cleaned }]);
    const later = await connectDesktop(companion);
    opened.push(later);
    expect(await later.request("hello", { clientToken })).toEqual({
      clientName: cleaned,
      person: null,
      protocolVersion: DESKTOP_PROTOCOL_VERSION,
    });
  });

  it("a name with nothing visible, or of more than 64 characters once cleaned, is refused", async () => {
    const client = await connectDesktop(companion);
    opened.push(client);
    const ask = (clientName: string) => refusal(client.request("pair.request", { clientName }));
    expect(await ask("\u200B\u202E\n\t")).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: { clientName: "请填写客户端名称" },
    });
    expect(await ask("中".repeat(65))).toMatchObject({ fields: { clientName: "客户端名称不能超过64个字符" } });
    // Counted in characters (code points), after cleaning.
    expect(await ask(`${"\u{20000}".repeat(64)}${"\u200B".repeat(100)}`)).toEqual({ code: "accepted" });
  });
});

describe("扫码登录 floods", () => {
  it("made-up installation ids, 7 × 10 codes: the real popup still gets a code at once, and so does a desktop client", async () => {
    const { publicKey } = await newRequesterKeys();
    // The attack on the old limits: seven sockets, ten codes each (they named made-up
    // installations; the companion now counts per socket, whatever a page says of itself).
    const flood = await many(7, () => connectQrSocket(companion));
    for (const socket of flood) {
      for (let i = 0; i < QR_CREATES_PER_CONNECTION; i++) await socket.request("qr.create", { publicKey });
      expect(await refusal(socket.request("qr.create", { publicKey }))).toMatchObject({
        code: "RATE_LIMITED",
        retryAfter: 300,
      });
    }
    const popup = await connectQrSocket(companion);
    opened.push(popup);
    const started = Date.now();
    const { created } = await showQr(popup);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await api(companion, "/api/qr-login/scan", { token, body: { qrText: created.qrText } })).status).toBe(200);

    const { client } = await pairDesktopClient(companion, token);
    opened.push(client);
    await showQr(client);
  });

  it(`past ${QR_MAX_PENDING} waiting codes the oldest unscanned one goes (qr.expired); a new code is never refused`, async () => {
    const { publicKey } = await newRequesterKeys();
    const events: DesktopEvent[] = [];
    // The oldest code of all is scanned: it has a logged-in approver and stays.
    const scanned = await connectQrSocket(companion);
    opened.push(scanned);
    scanned.onEvent((event) => events.push(event));
    const { created: held } = await showQr(scanned);
    await api(companion, "/api/qr-login/scan", { token, body: { qrText: held.qrText } });
    const [oldest, ...rest] = await many(QR_MAX_PENDING, () => connectQrSocket(companion), events);
    const oldestExpired = oldest!.nextEvent("qr.expired");
    const oldestCode = await oldest!.request("qr.create", { publicKey });
    for (let i = 0; i < rest.length; i += 50) {
      await Promise.all(rest.slice(i, i + 50).map((socket) => socket.request("qr.create", { publicKey })));
    }
    expect(events.map((event) => event.event)).toEqual(["qr.scanned"]);

    const popup = await connectQrSocket(companion);
    opened.push(popup);
    const { created } = await showQr(popup);
    expect(await oldestExpired).toEqual({ event: "qr.expired", ref: oldestCode.ref });
    expect(events.map((event) => event.event)).toEqual(["qr.scanned", "qr.expired"]);
    // The pushed-out code is gone; the scanned one and the new one still work.
    const scan = (qrText: string) => api(companion, "/api/qr-login/scan", { token, body: { qrText } });
    expect((await scan(oldestCode.qrText)).body.code).toBe("QR_NOT_FOUND");
    expect((await scan(created.qrText)).status).toBe(200);
    expect((await api(companion, "/api/qr-login/confirm", { token, body: { ref: held.ref } })).status).toBe(204);
  });
});
