// `npm run bench`: measures this issue's part of SPEC §8 in one run, each figure against a floor
// measured in the same run; prints a table and writes bench/results.json. No exit code from timing.
import { writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import keytar from "keytar";
import { measureDesktop } from "./desktop.js";
import { measureLogin } from "./login.js";
import { measureOffice } from "./office.js";
import { measurePopupInteractive, measurePopupJs } from "./popup.js";
import { measureQrLogin } from "./qr-login.js";
import { measureRareChars } from "./rare-chars.js";
import { measureReady } from "./ready.js";
import { IDLE_RSS_RATIO_BUDGET, idleRss, rssResult } from "./rss.js";
import { measureScale } from "./scale.js";
import {
  BENCH_KEYCHAIN_SERVICE,
  BENCH_SECOND_KEYCHAIN_SERVICE,
  type BudgetResult,
  cleanup,
  repoRoot,
  round,
  startCompanion,
  startFloor,
} from "./support.js";

function table(results: BudgetResult[]): string {
  const rows = results.map((r) => [
    r.name,
    `${r.value} ${r.unit}${r.p95 === undefined ? "" : ` (p95 ${r.p95})`}`,
    `${r.floor} ${r.unit}${r.floorP95 === undefined ? "" : ` (p95 ${r.floorP95})`}`,
    `${r.ratio}×`,
    r.budget === null ? "—" : `≤ ${r.budget} ${r.unit}`,
    r.withinBudget === null ? "(info)" : r.withinBudget ? "yes" : "NO",
  ]);
  const header = ["measure", "companion", "floor", "ratio", "budget", "within"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
  const notes = results.filter((r) => r.note).map((r) => `  ${r.name}: ${r.note}`);
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line), "", ...notes].join("\n");
}

/**
 * Each fresh data dir stored a pepper under the bench's keychain service, and the office's two
 * machines their office key; remove them all. Under `npm run bench` the keyring is a throwaway one
 * (--isolated); this matters on a real keychain.
 */
async function clearBenchKeychain(): Promise<void> {
  for (const service of [BENCH_KEYCHAIN_SERVICE, BENCH_SECOND_KEYCHAIN_SERVICE]) {
    for (const { account } of await keytar.findCredentials(service)) await keytar.deletePassword(service, account);
  }
}

async function main(): Promise<void> {
  if (!process.env.TAXAUTH_KEYRING) {
    throw new Error("run through `npm run bench` (scripts/with-keyring.sh sets TAXAUTH_KEYRING)");
  }
  const results: BudgetResult[] = [];
  console.log("companion ready time (7 runs each, interleaved with the floor)…");
  results.push(...(await measureReady(7)));

  const companion = await startCompanion();
  const floor = await startFloor();
  console.log("idle RSS…");
  const idle = await idleRss(companion, floor);
  results.push(
    rssResult(
      "Idle RSS (after a few requests, 1 s idle)",
      idle,
      `VmRSS; SPEC §8: ≤ ${IDLE_RSS_RATIO_BUDGET}× the bare Fastify floor`,
      round(IDLE_RSS_RATIO_BUDGET * idle.floor),
    ),
  );
  console.log("login and session round trips…");
  results.push(...(await measureLogin(companion, floor)));
  const afterLogins = await idleRss(companion, floor);
  results.push(
    rssResult("Idle RSS after the login runs", afterLogins, "informational: argon2id work leaves memory", null),
  );
  console.log("desktop socket: round trips and idle connections (a companion of its own)…");
  results.push(...(await measureDesktop()));
  console.log("office mode on a private PostgreSQL: units.list round trips, revoke across companions, a login race…");
  results.push(...(await measureOffice()));
  console.log("scale: lists, units.list, unit.enter, revoke → unit.ended and the event loop at N = 10 … 20,000…");
  results.push(...(await measureScale()));
  console.log("生僻字: lookups over every radical × strokes key, index size…");
  results.push(...(await measureRareChars()));
  console.log("扫码登录: 确认登录 → requester logged in, 30 runs (a companion of its own)…");
  results.push(await measureQrLogin(30));
  console.log("popup: JS size and time to interactive (Chromium)…");
  results.push(measurePopupJs());
  const popupInteractive = await measurePopupInteractive(20);
  if (popupInteractive) results.push(popupInteractive);

  const report = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? "unknown", node: process.version },
    budgets: results,
  };
  writeFileSync(join(repoRoot, "bench", "results.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${table(results)}\n\nwritten to bench/results.json`);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await cleanup();
  if (process.env.TAXAUTH_KEYRING) {
    await clearBenchKeychain().catch((error: Error) => console.error(`keychain cleanup: ${error.message}`));
  }
}
