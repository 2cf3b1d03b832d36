// 扫码登录 (issue 5): the time from the approver's 确认登录 until the requester is logged in — its
// qr.confirmed event, its qr.redeem and the reply, the sealed session token decrypted — against
// one plain WebSocket message round trip (the bare `ws` echo server) in the same run. SPEC §8
// sets no budget for it: informational. Runs on a companion of its own.
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type WebSocket from "ws";
import { DesktopClient, type SocketLike } from "../shared/desktop/client.js";
import { DESKTOP_PATH } from "../shared/desktop/protocol.js";
import { QR_CREATES_PER_CONNECTION } from "../shared/qr-login/contract.js";
import { newRequesterKeys, type RequesterKeys } from "../shared/qr-login/requester-keys.js";
import { BENCH_ACCOUNT, registerPerson } from "./login.js";
import {
  type BudgetResult,
  type Companion,
  openSocket,
  percentile,
  request,
  round,
  type Server,
  sleep,
  spawnServer,
  startCompanion,
  stopServer,
} from "./support.js";

const WARMUP = 3;
/** The companion lets one connection make QR_CREATES_PER_CONNECTION codes in 5 minutes. */
const CODES_PER_REQUESTER = QR_CREATES_PER_CONNECTION;
/** Between runs, so neither connection nears the socket's rate limit (20 frames a second). */
const PAUSE_MS = 150;

/** Connections the server closed while the bench still used them: code and reason, for the error. */
const closedByServer: string[] = [];

/** openSocket, noting when the server closes it. */
async function watchedSocket(url: string): Promise<WebSocket> {
  const socket = await openSocket(url);
  socket.on("close", (code, reason) => {
    if (code !== 1005 && code !== 1000) closedByServer.push(`${code} ${reason}`);
  });
  return socket;
}

/** A new desktop connection, paired as a person does it in the popup (the code typed, 允许), as `taxauth-desk pair`. */
async function pairedClient(companion: Companion, sessionToken: string, clientName: string): Promise<DesktopClient> {
  const socket = await watchedSocket(`${companion.url.replace("http", "ws")}${DESKTOP_PATH}`);
  const client = new DesktopClient(socket as unknown as SocketLike);
  const approved = client.nextEvent("pair.approved");
  const { code } = await client.request("pair.request", { clientName });
  const answer = await request(`${companion.url}/api/desktop/pairings/approve`, {
    token: sessionToken,
    body: { code },
  });
  if (answer.status !== 200) throw new Error(`approve: ${answer.status} ${JSON.stringify(answer.body)}`);
  await approved;
  return client;
}

/**
 * One 扫码登录, timed from the moment the approver sends qr.confirm until the requester holds the
 * decrypted session token. The proof is computed when the code is shown, as taxauth-desk does.
 */
async function timedLogin(approver: DesktopClient, requester: { client: DesktopClient; keys: RequesterKeys }) {
  const { client, keys } = requester;
  const created = await client.request("qr.create", { publicKey: keys.publicKey });
  const proof = await keys.proofFor(created.challenge);
  const scanned = client.nextEvent("qr.scanned");
  await approver.request("qr.scan", { qrText: created.qrText });
  await scanned;

  const loggedIn = client.nextEvent("qr.confirmed").then(async () => {
    const redeemed = await client.request("qr.redeem", { ref: created.ref, proof });
    const token = await keys.openToken(redeemed.sealedToken);
    return { at: performance.now(), token };
  });
  const start = performance.now();
  const confirmed = approver.request("qr.confirm", { ref: created.ref });
  const { at, token } = await loggedIn;
  await confirmed;
  // Untimed: the session works (the connection is logged in) and the token is a real one.
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new Error("the sealed token did not open to a session token");
  await client.request("units.list", {});
  // The floor echoes a frame like the one that started the clock.
  return { ms: at - start, frame: JSON.stringify({ id: "99", type: "qr.confirm", ref: created.ref }) };
}

/** One round trip of `frame` through the echo server. */
async function echoRoundTrip(socket: WebSocket, frame: string): Promise<number> {
  const echoed = new Promise<void>((resolve) => socket.once("message", () => resolve()));
  const start = performance.now();
  socket.send(frame);
  await echoed;
  return performance.now() - start;
}

/** The timed runs, interleaved with the floor: p50/p95 of both. */
async function runLogins(companion: Companion, echo: Server, clients: DesktopClient[], runs: number) {
  await registerPerson(companion);
  const { status, body } = await request(`${companion.url}/api/login`, { body: BENCH_ACCOUNT });
  if (status !== 200) throw new Error(`POST /api/login: ${status} ${JSON.stringify(body)}`);
  const approver = await pairedClient(companion, body.token, "bench-approver");
  clients.push(approver);
  await approver.request("login", BENCH_ACCOUNT);
  const requesters: Array<{ client: DesktopClient; keys: RequesterKeys }> = [];
  for (let i = 0; i < Math.ceil((WARMUP + runs) / CODES_PER_REQUESTER); i++) {
    const client = await pairedClient(companion, body.token, `bench-requester-${i}`);
    clients.push(client);
    requesters.push({ client, keys: await newRequesterKeys() });
  }
  const echoSocket = await watchedSocket(`${echo.url.replace("http", "ws")}/`);
  const times: number[] = [];
  const floorTimes: number[] = [];
  // Interleaved: a login, then a plain round trip, so a slow moment of the machine hits both.
  for (let i = 0; i < WARMUP + runs; i++) {
    await sleep(PAUSE_MS);
    const { ms, frame } = await timedLogin(approver, requesters[Math.floor(i / CODES_PER_REQUESTER)]!);
    const floorMs = await echoRoundTrip(echoSocket, frame);
    if (i < WARMUP) continue;
    times.push(ms);
    floorTimes.push(floorMs);
  }
  echoSocket.close();
  return { times, floorTimes };
}

export async function measureQrLogin(runs = 30): Promise<BudgetResult> {
  const companion = await startCompanion();
  const echo = await spawnServer([join(import.meta.dirname, "echo-server.js")], { PORT: "0" });
  const clients: DesktopClient[] = [];
  try {
    const { times, floorTimes } = await runLogins(companion, echo, clients, runs).catch((error: Error) => {
      const closes = closedByServer.length > 0 ? ` (closed by the companion: ${closedByServer.join(", ")})` : "";
      throw new Error(`扫码登录 bench: ${error.message}${closes}`);
    });
    const p50 = percentile(times, 50);
    const floorP50 = percentile(floorTimes, 50);
    return {
      name: "扫码登录: 确认登录 → requester logged in",
      value: round(p50, 2),
      unit: "ms",
      floor: round(floorP50, 3),
      ratio: round(p50 / floorP50, 1),
      budget: null,
      withinBudget: null,
      p95: round(percentile(times, 95), 2),
      floorP95: round(percentile(floorTimes, 95), 3),
      samples: times.length,
      note:
        "informational (SPEC §8 sets no budget); from the approver's qr.confirm frame to the requester's " +
        "qr.confirmed event → qr.redeem (session opened, token sealed with RSA-OAEP-2048) → reply → token " +
        "decrypted (WebCrypto); both ends paired desktop connections; proof computed when the code is shown; " +
        "floor: one round trip of the same qr.confirm frame through the bare ws echo server, interleaved",
    };
  } finally {
    for (const client of clients) client.close();
    await stopServer(echo.child);
    await stopServer(companion.child);
  }
}
