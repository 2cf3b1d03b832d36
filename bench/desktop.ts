// §8, the desktop socket: (1) round trip of a non-crypto request (units.list) with 100 concurrent
// paired and logged-in clients, against a bare `ws` echo server with the same 100 clients
// (≤ 1.5× at p50 on SQLite, ≤ 3× on PostgreSQL — bench/office.ts —, ≤ 2.5× at p99); (2) VmRSS of
// the companion holding 1,000 idle paired connections (≤ 200 MB).
// Runs on a companion of its own, so its RSS is not inflated by the other measurements.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import WebSocket, { type RawData } from "ws";
import { DESKTOP_PATH } from "../shared/desktop/protocol.js";
import { gb32100CheckChar } from "../shared/identity/tin.js";
import { BENCH_ACCOUNT, registerPerson } from "./login.js";
import { rssResult } from "./rss.js";
import {
  type BudgetResult,
  type Companion,
  closeSocket,
  openSocket,
  percentile,
  request,
  round,
  rssMb,
  type Server,
  sleep,
  spawnServer,
  startCompanion,
  stopServer,
  taxauth,
} from "./support.js";

export const ROUND_TRIP_CLIENTS = 100;
const IDLE_CONNECTIONS = 1000;
const RSS_BUDGET_MB = 200;
/** SPEC §8: the p50 round trip against the echo's, by the companion's store. */
const RATIO_BUDGET = { SQLite: 1.5, PostgreSQL: 3 } as const;
const P99_RATIO_BUDGET = 2.5;
/**
 * Each client sends one request per period and waits for its reply: 1 per 100 ms, half the rate a
 * connection is allowed (20 a second). The clients are staggered across the period, so the 100 of
 * them make a steady ~1,000 requests a second: a load, not a saturation of either server.
 */
const PERIOD_MS = 100;
const ROUNDS = 4;
const ROUND_MS = 3000;

/** Open files allowed to this process (the companion inherits the same limit). */
function openFilesLimit(): number {
  const soft = readFileSync("/proc/self/limits", "utf8").match(/^Max open files\s+(\S+)/m)?.[1];
  return soft === undefined || soft === "unlimited" ? Number.POSITIVE_INFINITY : Number(soft);
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  // Fields after the command name, which is in parentheses and may contain spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A desktop client connection for the setup: JSON requests, replies by id, events to a listener. */
export class Desk {
  private serial = 0;
  private readonly waiting = new Map<string, { resolve(result: any): void; reject(error: Error): void }>();
  onEvent: (event: { event: string; [key: string]: unknown }) => void = () => {};

  private constructor(readonly socket: WebSocket) {
    socket.on("message", this.receive);
    socket.on("close", () => {
      for (const { reject } of this.waiting.values()) reject(new Error("connection closed"));
      this.waiting.clear();
    });
  }

  static async open(url: string): Promise<Desk> {
    return new Desk(await openSocket(url));
  }

  request(type: string, body: Record<string, unknown> = {}): Promise<any> {
    const id = String(++this.serial);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ ...body, id, type }));
    });
  }

  /** From now on the timed loop reads this socket directly. */
  detach(): WebSocket {
    this.socket.off("message", this.receive);
    return this.socket;
  }

  close(): Promise<void> {
    return closeSocket(this.socket);
  }

  private readonly receive = (data: RawData) => {
    const message = JSON.parse(String(data));
    if (message.event) return this.onEvent(message);
    const pending = this.waiting.get(message.id);
    if (!pending) return;
    this.waiting.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new Error(`${message.code}: ${message.message}`));
  };
}

/** Runs fn over items, at most `limit` at a time. */
async function inBatches<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += limit) {
    results.push(...(await Promise.all(items.slice(i, i + limit).map((item, j) => fn(item, i + j)))));
  }
  return results;
}

/** Pairs n desktop clients as a person does in the popup (the code typed, 允许); returns their client tokens. */
export async function pairClients(companion: Companion, sessionToken: string, n: number): Promise<string[]> {
  const url = `${companion.url.replace("http", "ws")}${DESKTOP_PATH}`;
  const tokens: string[] = [];
  for (let start = 0; start < n; start += 100) {
    const names = Array.from({ length: Math.min(100, n - start) }, (_, i) => `bench-desk-${start + i}`);
    const desks = await Promise.all(names.map(() => Desk.open(url)));
    const approved = desks.map(
      (desk) =>
        new Promise<string>((resolve, reject) => {
          desk.onEvent = (event) =>
            event.event === "pair.approved" ? resolve(event.clientToken as string) : reject(new Error(event.event));
        }),
    );
    const codes = await Promise.all(
      desks.map(async (desk, i) => (await desk.request("pair.request", { clientName: names[i] })).code as string),
    );
    await inBatches(codes, 20, async (code, i) => {
      const approve = await request(`${companion.url}/api/desktop/pairings/approve`, {
        token: sessionToken,
        body: { code },
      });
      if (approve.status !== 200)
        throw new Error(`approve ${names[i]}: ${approve.status} ${JSON.stringify(approve.body)}`);
    });
    tokens.push(...(await Promise.all(approved)));
    await Promise.all(desks.map((desk) => desk.close()));
  }
  return tokens;
}

/** The bench person registered and logged in, and n desktop clients paired by them; their client tokens. */
export async function benchPersonClients(companion: Companion, n: number): Promise<string[]> {
  await registerPerson(companion);
  const { status, body } = await request(`${companion.url}/api/login`, { body: BENCH_ACCOUNT });
  if (status !== 200) throw new Error(`POST /api/login: ${status} ${JSON.stringify(body)}`);
  console.log(`  pairing ${n} desktop clients…`);
  return pairClients(companion, body.token, n);
}

/** Five units on the person's 单位管理 list (hall CSV import, then 添加 over the socket), as in the seed. */
async function addUnits(companion: Companion, desk: Desk): Promise<void> {
  const names = ["广东QJ4核定4", "广东QJ1查账", "广东QJ2查账", "广东QJ3核定", "广东QJ5分部门"];
  const tins = names.map((_, i) => {
    const first17 = `91440101MA${String(5_000_000 + i).padStart(7, "0")}`;
    return first17 + gb32100CheckChar(first17);
  });
  const csv = join(companion.dataDir, "bench-units.csv");
  writeFileSync(
    csv,
    [
      "纳税人识别号,纳税人名称,部门,分部门申报,综合所得申报,经营所得",
      ...names.map((name, i) => `${tins[i]},${name},,未备案,${i % 2 ? "已申报" : "待申报"},`),
    ].join("\n"),
  );
  await taxauth(companion.env, ["hall", "unit", "import", csv]);
  for (const tin of tins) await desk.request("units.add", { tin });
}

/**
 * Every client sends one frame per period (staggered), waits for its reply and records the round
 * trip, for durationMs. Returns the round trips in ms.
 */
async function roundTrips(
  sockets: WebSocket[],
  frame: (n: number) => string,
  expected: string,
  durationMs: number,
): Promise<number[]> {
  const samples: number[] = [];
  let wrong = "";
  const start = performance.now() + 20;
  const end = start + durationMs;
  await Promise.all(
    sockets.map(
      (socket, i) =>
        new Promise<void>((resolve) => {
          const offset = (i / sockets.length) * PERIOD_MS;
          let sentAt = 0;
          let n = 0;
          /** At most one request per tick (timers may fire a little early). */
          let lastTick = -1;
          const send = () => {
            sentAt = performance.now();
            socket.send(frame(++n));
          };
          const next = () => {
            const now = performance.now();
            const tick = Math.max(lastTick + 1, Math.ceil((now - start - offset) / PERIOD_MS));
            lastTick = tick;
            const due = start + offset + tick * PERIOD_MS;
            if (due >= end) {
              socket.off("message", onMessage);
              return resolve();
            }
            setTimeout(send, Math.max(0, due - now));
          };
          const onMessage = (data: RawData) => {
            samples.push(performance.now() - sentAt);
            if (!(data as Buffer).includes(expected)) wrong ||= String(data).slice(0, 200);
            next();
          };
          socket.on("message", onMessage);
          next();
        }),
    ),
  );
  if (wrong) throw new Error(`unexpected reply during the timed run: ${wrong}`);
  return samples;
}

/**
 * The units.list round trip with ROUND_TRIP_CLIENTS paired clients of the bench person (logged in
 * on each), against the echo server; `store` names the companion's store and sets the p50 budget.
 */
export async function measureRoundTrip(
  companion: Companion,
  clientTokens: string[],
  store: keyof typeof RATIO_BUDGET,
): Promise<BudgetResult[]> {
  const ratioBudget = RATIO_BUDGET[store];
  const echo: Server = await spawnServer([join(import.meta.dirname, "echo-server.js")], { PORT: "0" });
  try {
    const companionUrl = `${companion.url.replace("http", "ws")}${DESKTOP_PATH}`;
    // Paired and logged in: hello + login (argon2id) on every connection, before any timing.
    const desks = await inBatches(clientTokens.slice(0, ROUND_TRIP_CLIENTS), 25, async (clientToken) => {
      const desk = await Desk.open(companionUrl);
      await desk.request("hello", { clientToken });
      await desk.request("login", BENCH_ACCOUNT);
      return desk;
    });
    await addUnits(companion, desks[0]!);
    const listed = await desks[0]!.request("units.list");
    if (listed.items.length !== 5) throw new Error(`units.list: ${JSON.stringify(listed)}`);
    const companionSockets = desks.map((desk) => desk.detach());
    const echoSockets = await Promise.all(
      Array.from({ length: ROUND_TRIP_CLIENTS }, () => openSocket(`${echo.url.replace("http", "ws")}/`)),
    );

    const frame = (n: number) => `{"id":"${n}","type":"units.list"}`;
    const companionRun = () => roundTrips(companionSockets, frame, '"ok":true', ROUND_MS);
    const echoRun = () => roundTrips(echoSockets, frame, '"type":"units.list"', ROUND_MS);
    // Warm-up (JIT, SQLite page cache), untimed; then rounds interleaved so a slow moment of the
    // machine hits both sides alike. Pauses let the companion's rate buckets refill.
    await companionRun();
    await echoRun();
    const times: number[] = [];
    const floorTimes: number[] = [];
    let cpu = 0;
    let floorCpu = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await sleep(500);
      const cpuBefore = cpuMs(companion.pid);
      times.push(...(await companionRun()));
      cpu += cpuMs(companion.pid) - cpuBefore;
      await sleep(500);
      const floorCpuBefore = cpuMs(echo.pid);
      floorTimes.push(...(await echoRun()));
      floorCpu += cpuMs(echo.pid) - floorCpuBefore;
    }
    await Promise.all([...companionSockets, ...echoSockets].map(closeSocket));

    const p = (values: number[], q: number) => percentile(values, q);
    const p50 = p(times, 50);
    const floorP50 = p(floorTimes, 50);
    const p99 = p(times, 99);
    const floorP99 = p(floorTimes, 99);
    // The SQLite row keeps the name it has always had.
    const name = `Desktop units.list round trip, ${ROUND_TRIP_CLIENTS} clients${store === "SQLite" ? "" : `, ${store}`}`;
    const rate = (samples: number) => Math.round(samples / ((ROUNDS * ROUND_MS) / 1000));
    const setting =
      `each client 1 request / ${PERIOD_MS} ms, staggered (${rate(times.length)} req/s in all; echo ${rate(floorTimes.length)}); ` +
      "5 units on the list; floor: bare ws echo server (bench/echo-server.ts), same clients";
    return [
      {
        name: `${name} (p50)`,
        value: round(p50, 3),
        unit: "ms",
        floor: round(floorP50, 3),
        ratio: round(p50 / floorP50, 2),
        budget: round(ratioBudget * floorP50, 3),
        withinBudget: p50 <= ratioBudget * floorP50,
        p95: round(p(times, 95), 3),
        floorP95: round(p(floorTimes, 95), 3),
        samples: times.length,
        note: `SPEC §8 (${store}): ≤ ${ratioBudget}× the floor (budget = ${ratioBudget}× this run's floor p50); ${setting}`,
      },
      {
        name: `${name} (p99)`,
        value: round(p99, 3),
        unit: "ms",
        floor: round(floorP99, 3),
        ratio: round(p99 / floorP99, 2),
        budget: round(P99_RATIO_BUDGET * floorP99, 3),
        withinBudget: p99 <= P99_RATIO_BUDGET * floorP99,
        samples: times.length,
        note:
          `SPEC §8: ≤ ${P99_RATIO_BUDGET}× the floor's p99; floor samples: ${floorTimes.length}; server CPU per request: ` +
          `companion ${round((cpu * 1000) / times.length)} µs, echo ${round((floorCpu * 1000) / floorTimes.length)} µs`,
      },
    ];
  } finally {
    await stopServer(echo.child);
  }
}

/** VmRSS of the companion before, and while holding, IDLE_CONNECTIONS paired connections (hello only). */
async function measureIdleConnections(companion: Companion, clientTokens: string[]): Promise<BudgetResult> {
  const url = `${companion.url.replace("http", "ws")}${DESKTOP_PATH}`;
  await sleep(1000);
  const before = rssMb(companion.pid);
  const desks = await inBatches(clientTokens, 100, async (clientToken) => {
    const desk = await Desk.open(url);
    await desk.request("hello", { clientToken });
    return desk;
  });
  await sleep(2000);
  const open = desks.filter((desk) => desk.socket.readyState === WebSocket.OPEN).length;
  if (open !== clientTokens.length) throw new Error(`only ${open} of ${clientTokens.length} connections stayed open`);
  const holding = rssMb(companion.pid);
  await inBatches(desks, 200, (desk) => desk.close());
  const perConnectionKb = ((holding - before) * 1024) / clientTokens.length;
  return rssResult(
    `RSS holding ${clientTokens.length.toLocaleString("en")} idle paired desktop connections`,
    { companion: holding, floor: before },
    `VmRSS 2 s after the last hello; floor: the same companion before opening them; ` +
      `≈ ${round(perConnectionKb)} KB per connection; fd limit ${openFilesLimit()}`,
    RSS_BUDGET_MB,
  );
}

export async function measureDesktop(): Promise<BudgetResult[]> {
  // Each idle connection is one descriptor in this process and one in the companion.
  const limit = openFilesLimit();
  if (limit < 2100) {
    console.warn(
      `  open files limit is ${limit} (ulimit -n): 1,000 connections need ~1,050 descriptors in this process and in the companion; raise it to ≥ 2,100 to be safe`,
    );
  }
  if (limit < IDLE_CONNECTIONS + 100)
    throw new Error(`ulimit -n is ${limit}: too low for ${IDLE_CONNECTIONS} connections`);

  const companion = await startCompanion();
  try {
    const clientTokens = await benchPersonClients(companion, IDLE_CONNECTIONS);
    console.log(`  RSS with ${IDLE_CONNECTIONS} idle connections…`);
    const rss = await measureIdleConnections(companion, clientTokens);
    console.log(`  units.list round trips, ${ROUND_TRIP_CLIENTS} clients vs the ws echo floor…`);
    const roundTrip = await measureRoundTrip(companion, clientTokens, "SQLite");
    return [...roundTrip, rss];
  } finally {
    await stopServer(companion.child);
  }
}
