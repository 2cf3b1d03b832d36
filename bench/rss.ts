// §8: idle RSS ≤ 1.2× a bare Fastify process. VmRSS of the companion after it has served a few
// requests and sat idle for a second, against the bare Fastify process treated the same way.
import { type BudgetResult, type Companion, request, round, rssMb, type Server, sleep } from "./support.js";

/** Idle RSS: at most this many times the bare Fastify process's. */
export const IDLE_RSS_RATIO_BUDGET = 1.2;

/** A few requests, then ~1 s idle, then VmRSS of both processes (read at the same moment). */
export async function idleRss(companion: Companion, floor: Server): Promise<{ companion: number; floor: number }> {
  for (let i = 0; i < 5; i++) {
    for (const path of ["/healthz", "/api/captcha"]) {
      const { status } = await request(`${companion.url}${path}`);
      if (status !== 200) throw new Error(`GET ${path}: ${status}`);
    }
    await request(`${floor.url}/ping`);
  }
  await sleep(1000);
  return { companion: rssMb(companion.pid), floor: rssMb(floor.pid) };
}

export function rssResult(
  name: string,
  rss: { companion: number; floor: number },
  note: string,
  budget: number | null,
): BudgetResult {
  return {
    name,
    value: round(rss.companion),
    unit: "MB",
    floor: round(rss.floor),
    ratio: round(rss.companion / rss.floor, 2),
    budget,
    withinBudget: budget === null ? null : rss.companion <= budget,
    note,
  };
}
