// How cost grows with data. For N = 10, 1,000 and 20,000 — a legal rep of N units, a clerk with N
// grants (and N units on the 单位管理 list), a unit with N grantees and N history rows — a fresh
// companion serves each HTTP list's first page, the desktop units.list, unit.enter and a revoke →
// unit.ended, while desktop pings measure how long any request holds the event loop. Each figure
// at N = 20,000 is reported against the same figure at N = 10 in this run.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { configFromEnv } from "../companion/config.js";
import { openCore } from "../companion/core.js";
import { type Grant, newGrant } from "../companion/grants/store.js";
import { hashPassword } from "../companion/security/secrets.js";
import { addDays, shanghaiDate } from "../shared/dates.js";
import { DESKTOP_PATH } from "../shared/desktop/protocol.js";
import { gb11643CheckDigit } from "../shared/identity/documents.js";
import { gb32100CheckChar } from "../shared/identity/tin.js";
import { Desk, pairClients } from "./desktop.js";
import {
  type BudgetResult,
  type Companion,
  companionEnv,
  median,
  percentile,
  request,
  round,
  type Store,
  sleep,
  startCompanion,
  stopServer,
  tempDir,
  timeSequential,
} from "./support.js";

const SIZES = [10, 1_000, 20_000] as const;
const RUNS = 30;
const RATIO_BUDGET = 3;
const LIST_BUDGET_MS = 50;
const STALL_BUDGET_MS = 20;
const PEAK_RSS_BUDGET_MB = 150;
const PASSWORD = "Bench#2026pw";
/** Pings per second over all ping connections (each stays under the socket's 20 a second). */
const PING_CONNECTIONS = 4;
const PING_INTERVAL_MS = 60;
/** Between timed requests on one desktop connection: within its 20 requests a second. */
const SOCKET_GAP_MS = 55;

/** A valid 姓名 for the i-th person (names hold no digits): 员工 and i in Chinese numerals. */
const nameOf = (i: number) => `员工${[...String(i)].map((digit) => "零一二三四五六七八九"[Number(digit)]).join("")}`;

const tinOf = (i: number) => {
  const first17 = `91440101MA${String(6_000_000 + i).padStart(7, "0")}`;
  return first17 + gb32100CheckChar(first17);
};

/** Distinct 居民身份证 numbers: 999 sequence numbers per birth date, from 1950-01-01. */
const idNumberOf = (i: number) => {
  const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(i / 999) * 86_400_000);
  const date = birth.toISOString().slice(0, 10).replaceAll("-", "");
  const first17 = `110101${date}${String((i % 999) + 1).padStart(3, "0")}`;
  return first17 + gb11643CheckDigit(first17);
};

interface Person {
  id: string;
  loginName: string;
  docNumber: string;
  name: string;
}

export interface Fixture {
  rep: Person;
  clerk: Person;
  /** The grantee of the big unit who enters it and is revoked. */
  grantee: Person;
  bigUnit: string;
  clerkUnit: string;
  /** The other grantees of the big unit (n − 1 of them). */
  others: Person[];
}

/**
 * One store for size n (a data dir's SQLite file, or an office's database), written through the
 * companion's own stores in one transaction: the rep is 法定代表人 of n units and of the big unit;
 * the clerk holds a grant at each of the n units and has them on the 单位管理 list; n people hold a
 * grant at the big unit, each with its history row.
 */
export async function seed(store: Store, n: number): Promise<Fixture> {
  const core = await openCore(configFromEnv(companionEnv(store, 0)));
  const passwordHash = await hashPassword(PASSWORD);
  const now = Date.now();
  let serial = 0;
  const person = async (name: string): Promise<Person> => {
    const id = randomUUID();
    const docNumber = idNumberOf(serial++);
    const loginName = `bench_${serial}`;
    await core.people.insert({
      id,
      docType: "居民身份证",
      docNumber,
      name,
      nationality: "中国",
      loginName,
      phone: null,
      passwordHash,
      registeredVia: "hall-code",
      createdAt: now,
    });
    return { id, loginName, docNumber, name };
  };
  // Each created a millisecond after the last: the lists' order is the order of seeding.
  const grant = (tin: string, granteeId: string, grantedBy: string): Grant =>
    newGrant(
      {
        unitTin: tin,
        granteeId,
        permission: "办税权限",
        termType: "长期",
        startDate: "2020-01-01",
        endDate: null,
        grantedBy,
        grantedAs: "法定代表人",
        grantorGrantId: null,
      },
      now + serial++,
    );
  const addToList = (personId: string, tin: string, position: number) =>
    core.sql.run("INSERT INTO desktop_unit_lists (person_id, unit_tin, position) VALUES (?, ?, ?)", [
      personId,
      tin,
      position,
    ]);
  try {
    const fixture = await core.sql.transaction(async (): Promise<Fixture> => {
      const rep = await person("王法人");
      const clerk = await person("宋办税");
      const saveUnit = async (tin: string, name: string, filed: boolean) => {
        await core.units.saveUnit({
          tin,
          name,
          departments: [],
          departmentFiling: "未备案",
          comprehensiveIncome: filed ? "已申报" : "待申报",
          businessIncome: "",
        });
        await core.units.setOfficer({
          unitTin: tin,
          role: "法定代表人",
          docType: "居民身份证",
          docNumber: rep.docNumber,
          name: rep.name,
          startDate: "2020-01-01",
          endDate: null,
        });
      };
      for (let i = 1; i <= n; i++) {
        const tin = tinOf(i);
        await saveUnit(tin, `广东QJ${i}号单位`, i % 2 === 0);
        await core.grants.store.insert(grant(tin, clerk.id, rep.id));
        await addToList(clerk.id, tin, i);
      }
      const bigUnit = tinOf(0);
      await saveUnit(bigUnit, "广东QJ大单位", false);
      const holders: Person[] = [];
      for (let i = 0; i < n; i++) {
        const holder = await person(nameOf(i));
        holders.push(holder);
        const made = grant(bigUnit, holder.id, rep.id);
        await core.grants.store.insert(made);
        await core.audit.append({
          at: made.createdAt,
          unitTin: bigUnit,
          actorId: rep.id,
          actorRole: "法定代表人",
          action: "新增授权",
          grantId: made.id,
          before: null,
          after: { permission: made.permission, termType: made.termType, startDate: made.startDate, endDate: null },
        });
      }
      const [grantee, ...others] = holders as [Person, ...Person[]];
      return { rep, clerk, grantee, bigUnit, clerkUnit: tinOf(1), others };
    });
    await core.audit.anchorHead();
    return fixture;
  } finally {
    await core.close();
  }
}

export async function login(companion: Companion, who: Person): Promise<string> {
  const { status, body } = await request(`${companion.url}/api/login`, {
    body: { account: who.loginName, password: PASSWORD },
  });
  if (status !== 200) throw new Error(`login ${who.loginName}: ${status} ${JSON.stringify(body)}`);
  return body.token as string;
}

async function get(companion: Companion, path: string, token: string): Promise<any> {
  const { status, body } = await request(`${companion.url}${path}`, { token });
  if (status !== 200) throw new Error(`GET ${path}: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** A paired desktop connection, logged in as `who` when given. */
export async function desk(companion: Companion, clientToken: string, who?: Person): Promise<Desk> {
  const connection = await Desk.open(`${companion.url.replace("http", "ws")}${DESKTOP_PATH}`);
  await connection.request("hello", { clientToken });
  if (who) await connection.request("login", { account: who.loginName, password: PASSWORD });
  return connection;
}

const p50 = (values: number[]) => median(values);

/** What one size measured: p50 in ms per measure, the longest ping, and the peak RSS. */
interface SizeFigures {
  times: Record<string, number>;
  stall: { max: number; p99: number; idleMax: number; held: Record<string, number> };
  peakRssMb: number;
}

const LISTS = {
  managedUnits: "GET /api/units/managed (legal rep of N units)",
  myGrants: "GET /api/my/grants (clerk with N grants)",
  unitGrants: "GET /api/units/:tin/grants (unit with N grantees)",
  history: "GET /api/units/:tin/history (N history rows)",
  historyFiltered: "GET /api/units/:tin/history filtered by dates, 操作人 and 操作类型 (all N rows match)",
} as const;
const DESKTOP = {
  unitsList: "Desktop units.list (N units on the list)",
  unitEnter: "Desktop unit.enter (clerk with N grants)",
  revokeEnded: "Revoke → unit.ended (unit with N grantees)",
} as const;

/**
 * A filter every seeded row passes (the rep made them all, as 新增授权, around now): the page and its
 * total then read all N rows through the filter's conditions.
 */
function historyFilter(rep: Person): string {
  const today = shanghaiDate(Date.now());
  return new URLSearchParams({
    from: addDays(today, -1),
    to: addDays(today, 1),
    actor: rep.name,
    action: "新增授权",
  }).toString();
}

async function measureSize(n: number): Promise<SizeFigures> {
  const dataDir = tempDir(`taxauth-bench-scale-${n}-`);
  const fixture = await seed({ dataDir }, n);
  const companion = await startCompanion({ dataDir });
  try {
    const repToken = await login(companion, fixture.rep);
    const clerkToken = await login(companion, fixture.clerk);
    const big = fixture.bigUnit;
    const pages: Record<keyof typeof LISTS, () => Promise<unknown>> = {
      managedUnits: () => get(companion, "/api/units/managed", repToken),
      myGrants: () => get(companion, "/api/my/grants", clerkToken),
      unitGrants: () => get(companion, `/api/units/${big}/grants`, repToken),
      history: () => get(companion, `/api/units/${big}/history`, repToken),
      historyFiltered: () => get(companion, `/api/units/${big}/history?${historyFilter(fixture.rep)}`, repToken),
    };
    const times: Record<string, number> = {};
    for (const [key, page] of Object.entries(pages)) {
      times[key] = p50(
        await timeSequential(RUNS, async () => {
          await page();
        }),
      );
    }

    const clientTokens = await pairClients(companion, repToken, 2 + PING_CONNECTIONS);
    const clerkDesk = await desk(companion, clientTokens[0] as string, fixture.clerk);
    const granteeDesk = await desk(companion, clientTokens[1] as string, fixture.grantee);
    const pingDesks = await Promise.all(clientTokens.slice(2).map((token) => desk(companion, token)));

    times.unitsList = p50(await timedOnSocket(() => clerkDesk.request("units.list")));
    times.unitEnter = p50(
      await timedOnSocket(
        () => clerkDesk.request("unit.enter", { tin: fixture.clerkUnit }),
        () => clerkDesk.request("unit.leave", { tin: fixture.clerkUnit }),
      ),
    );
    times.revokeEnded = p50((await revokeRounds(companion, repToken, [granteeDesk], fixture, 10))[0] as number[]);

    // The heaviest requests back to back, pings alongside; then the same pings with nothing else.
    const heavy: Record<string, () => Promise<unknown>> = {
      "CSV export": () => request(`${companion.url}/api/units/${big}/grants.csv`, { token: repToken, raw: true }),
      "history search": () => get(companion, `/api/units/${big}/history?q=员工一`, repToken),
      "history CSV export, filtered": () =>
        request(`${companion.url}/api/units/${big}/history.csv?${historyFilter(fixture.rep)}`, {
          token: repToken,
          raw: true,
        }),
      "grants search, 500 rows": () => get(companion, `/api/units/${big}/grants?q=员工一&limit=500`, repToken),
      "managed units, 500 rows": () => get(companion, "/api/units/managed?q=QJ1&limit=500", repToken),
      "我的办税权限, 500 rows": () => get(companion, "/api/my/grants?limit=500", clerkToken),
      "units.list search, 500 rows": () => clerkDesk.request("units.list", { q: "QJ1", limit: 500 }),
    };
    // Each heavy request three times with pings alongside: the longest ping during each.
    const held: Record<string, number> = {};
    const loaded: number[] = [];
    for (const [name, run] of Object.entries(heavy)) {
      const pings = await pingsDuring(pingDesks, async () => {
        for (let round = 0; round < 3; round++) await run();
      });
      held[name] = Math.max(...pings);
      loaded.push(...pings);
    }
    const idle = await pingsDuring(pingDesks, () => sleep(1500));
    const peakRssMb =
      Number(readFileSync(`/proc/${companion.pid}/status`, "utf8").match(/^VmHWM:\s+(\d+)/m)?.[1]) / 1024;
    await Promise.all([clerkDesk, granteeDesk, ...pingDesks].map((d) => d.close()));
    return {
      times,
      stall: { max: Math.max(...loaded), p99: percentile(loaded, 99), idleMax: Math.max(...idle), held },
      peakRssMb,
    };
  } finally {
    await stopServer(companion.child);
  }
}

/**
 * Times RUNS calls of `timed` on one desktop connection (after 5 untimed), each followed by `after`,
 * paced under the socket's rate limit.
 */
async function timedOnSocket(timed: () => Promise<unknown>, after?: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 5; i++) {
    const start = performance.now();
    await timed();
    if (i >= 5) times.push(performance.now() - start);
    await after?.();
    await sleep(SOCKET_GAP_MS * (after ? 2 : 1));
  }
  return times;
}

/**
 * The grantee enters the big unit on a desktop connection; the rep revokes through `companion`;
 * time from the revoke until unit.ended arrives. Round i uses desks[i % desks.length] (the grantee
 * logged in on each, say on different companions): the times by desk, the first `warmup` rounds
 * of each left out.
 */
export async function revokeRounds(
  companion: Companion,
  repToken: string,
  desks: Desk[],
  fixture: Fixture,
  rounds: number,
  warmup = 0,
): Promise<number[][]> {
  const times: number[][] = desks.map(() => []);
  const grantsPath = `/api/units/${fixture.bigUnit}/grants`;
  let grantId = (await get(companion, `${grantsPath}?limit=1`, repToken)).items[0].id as string;
  for (let i = 0; i < (rounds + warmup) * desks.length; i++) {
    const granteeDesk = desks[i % desks.length] as Desk;
    await granteeDesk.request("unit.enter", { tin: fixture.bigUnit });
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<number>((resolve, reject) => {
      granteeDesk.onEvent = (event) => event.event === "unit.ended" && resolve(performance.now());
      timer = setTimeout(() => reject(new Error("no unit.ended within 5 s of the revoke")), 5000);
    }).finally(() => clearTimeout(timer));
    ended.catch(() => undefined); // awaited below, unless the revoke itself fails first
    const start = performance.now();
    const revoked = await request(`${companion.url}${grantsPath}/${grantId}/revoke`, { token: repToken, body: {} });
    if (revoked.status !== 200) throw new Error(`revoke: ${revoked.status} ${JSON.stringify(revoked.body)}`);
    const took = (await ended) - start;
    if (i >= warmup * desks.length) times[i % desks.length]?.push(took);
    const again = await request(`${companion.url}${grantsPath}`, {
      token: repToken,
      body: {
        docType: "居民身份证",
        docNumber: fixture.grantee.docNumber,
        name: fixture.grantee.name,
        permission: "办税权限",
        termType: "长期",
        startDate: "2020-01-01",
      },
    });
    if (again.status !== 200) throw new Error(`grant again: ${again.status} ${JSON.stringify(again.body)}`);
    grantId = again.body.id;
  }
  return times;
}

/** Round trips (ms) of pings sent every PING_INTERVAL_MS on each connection, staggered, while `work` runs. */
async function pingsDuring(desks: Desk[], work: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  let running = true;
  const pinger = async (desk: Desk, offset: number) => {
    await sleep(offset);
    while (running) {
      const start = performance.now();
      await desk.request("ping");
      times.push(performance.now() - start);
      await sleep(PING_INTERVAL_MS);
    }
  };
  const pingers = desks.map((desk, i) => pinger(desk, (i * PING_INTERVAL_MS) / desks.length));
  await work();
  running = false;
  await Promise.all(pingers);
  return times;
}

export async function measureScale(): Promise<BudgetResult[]> {
  const figures = new Map<number, SizeFigures>();
  for (const n of SIZES) {
    console.log(`  N = ${n.toLocaleString("en")}: seeding, then measuring…`);
    figures.set(n, await measureSize(n));
  }
  const small = figures.get(SIZES[0]) as SizeFigures;
  const large = figures.get(SIZES[2]) as SizeFigures;
  const middle = figures.get(SIZES[1]) as SizeFigures;
  const results: BudgetResult[] = [];
  const growth = (key: string, name: string, absoluteMs: number | null) => {
    const value = large.times[key] as number;
    const floor = small.times[key] as number;
    const budget = Math.min(RATIO_BUDGET * floor, absoluteMs ?? Number.POSITIVE_INFINITY);
    results.push({
      name: `${name}, N = 20,000 (p50)`,
      value: round(value, 3),
      unit: "ms",
      floor: round(floor, 3),
      ratio: round(value / floor, 2),
      budget: round(budget, 3),
      withinBudget: value <= budget,
      samples: RUNS,
      note:
        `floor: the same at N = 10; N = 1,000: ${round(middle.times[key] as number, 3)} ms; SPEC §8: ≤ ${RATIO_BUDGET}× N = 10` +
        (absoluteMs === null ? "" : ` and ≤ ${absoluteMs} ms`),
    });
  };
  for (const [key, name] of Object.entries(LISTS)) growth(key, name, LIST_BUDGET_MS);
  for (const [key, name] of Object.entries(DESKTOP)) growth(key, name, null);
  const stalls = [...figures.entries()].map(
    ([n, f]) => `N = ${n}: max ${round(f.stall.max)} ms, p99 ${round(f.stall.p99)} ms`,
  );
  results.push({
    name: "Event loop held by the heaviest requests, N = 20,000 (longest desktop ping)",
    value: round(large.stall.max, 1),
    unit: "ms",
    floor: round(large.stall.idleMax, 1),
    ratio: round(large.stall.max / large.stall.idleMax, 2),
    budget: STALL_BUDGET_MS,
    withinBudget: large.stall.max <= STALL_BUDGET_MS,
    note:
      `pings every ${PING_INTERVAL_MS} ms on ${PING_CONNECTIONS} connections while each of the CSV export, searches and ` +
      `500-row pages runs 3 times; floor: the longest ping with nothing else running; ${stalls.join("; ")}; ` +
      `longest ping during each at N = 20,000: ${Object.entries(large.stall.held)
        .map(([name, ms]) => `${name} ${round(ms)} ms`)
        .join(", ")}`,
  });
  results.push({
    name: "Peak RSS of the companion, N = 20,000 (VmHWM)",
    value: round(large.peakRssMb),
    unit: "MB",
    floor: round(small.peakRssMb),
    ratio: round(large.peakRssMb / small.peakRssMb, 2),
    budget: PEAK_RSS_BUDGET_MB,
    withinBudget: large.peakRssMb <= PEAK_RSS_BUDGET_MB,
    note: `floor: the same at N = 10; N = 1,000: ${round(middle.peakRssMb)} MB`,
  });
  return results;
}
