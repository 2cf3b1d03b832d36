// §8: companion ready ≤ 500 ms after start. From spawn to the "listening" line, and to the first
// 200 from /healthz (a real database query and keychain round trip), against a bare Fastify process.
import {
  type BudgetResult,
  median,
  round,
  type Server,
  startCompanion,
  startFloor,
  stopServer,
  until200,
} from "./support.js";

const BUDGET_MS = 500;
/** And at most this many times the bare Fastify floor of the same run. */
const RATIO_BUDGET = 1.3;

interface Sample {
  listening: number;
  answering: number;
}

async function sample(start: () => Promise<Server>, path: string): Promise<Sample> {
  const server = await start();
  try {
    const answeredAt = await until200(`${server.url}${path}`);
    return { listening: server.listeningMs, answering: answeredAt - server.spawnedAt };
  } finally {
    await stopServer(server.child);
  }
}

export async function measureReady(runs = 7): Promise<BudgetResult[]> {
  const companion: Sample[] = [];
  const floor: Sample[] = [];
  // Interleaved, so a slow moment of the machine hits both sides alike.
  for (let i = 0; i < runs; i++) {
    companion.push(await sample(startCompanion, "/healthz"));
    floor.push(await sample(startFloor, "/ping"));
  }
  const result = (name: string, key: keyof Sample, note: string): BudgetResult => {
    const value = median(companion.map((s) => s[key]));
    const floorValue = median(floor.map((s) => s[key]));
    return {
      name,
      value: round(value),
      unit: "ms",
      floor: round(floorValue),
      ratio: round(value / floorValue, 2),
      budget: round(Math.min(BUDGET_MS, RATIO_BUDGET * floorValue)),
      withinBudget: value <= Math.min(BUDGET_MS, RATIO_BUDGET * floorValue),
      samples: runs,
      note,
    };
  };
  return [
    result(
      "Companion ready: spawn → listening line",
      "listening",
      `median; fresh data dir each run; SPEC §8: ≤ ${RATIO_BUDGET}× the floor and ≤ ${BUDGET_MS} ms`,
    ),
    result(
      "Companion ready: spawn → GET /healthz 200",
      "answering",
      `floor: GET /ping 200; SPEC §8: ≤ ${RATIO_BUDGET}× the floor and ≤ ${BUDGET_MS} ms`,
    ),
  ];
}
