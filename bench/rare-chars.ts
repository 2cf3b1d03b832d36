// §8: rare-character lookup ≤ 1 ms; its index ≤ 400 KB gzip. The lookup is timed for every
// radical × residual-strokes key of the index (decoding that bucket's runs), against a Map.get of
// the same keys holding the decoded arrays; the size is that of the chunk the extension ships,
// against the same buckets written plainly (the characters themselves, as JSON).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { loadRareCharIndex, type RareCharIndex } from "../shared/rare-chars/lookup.js";
import { type BudgetResult, median, percentile, repoRoot, round } from "./support.js";

const LOOKUP_BUDGET_US = 1000;
const SIZE_BUDGET_KB = 400;
const ROUNDS = 5;

function keysOf(index: RareCharIndex): Array<[string, number]> {
  return index.radicals.flatMap((r) => index.residualStrokes(r.key).map((n): [string, number] => [r.key, n]));
}

/** Per-call durations in µs of `fn` for every key, ROUNDS times (after one untimed round): times[round][key]. */
function timeKeys(keys: Array<[string, number]>, fn: (radical: string, residual: number) => number[]): number[][] {
  let sink = 0;
  for (const [radical, residual] of keys) sink += fn(radical, residual).length;
  const times: number[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    times.push(
      keys.map(([radical, residual]) => {
        const start = performance.now();
        sink += fn(radical, residual).length;
        return (performance.now() - start) * 1000;
      }),
    );
  }
  if (sink === 0) throw new Error("the index is empty");
  return times;
}

/** The slowest key by its median over the rounds (a single slow call is a GC pause, not the key). */
function slowestKey(times: number[][], keys: Array<[string, number]>): { key: string; us: number } {
  let worst = { key: "", us: 0 };
  keys.forEach(([radical, residual], i) => {
    const us = median(times.map((round) => round[i]!));
    if (us > worst.us) worst = { key: `${radical}.${residual}`, us };
  });
  return worst;
}

/** The index chunk of the built extension (.output/chrome-mv3/chunks/unihan-index-*.js). */
function shippedChunk(): { path: string; bytes: Buffer } {
  const dir = join(repoRoot, ".output", "chrome-mv3", "chunks");
  const name = readdirSync(dir).find((file) => /^unihan-index-.*\.js$/.test(file));
  if (!name) throw new Error(`no unihan-index chunk in ${dir}: build the extension first (npm run build)`);
  return { path: join("chunks", name), bytes: readFileSync(join(dir, name)) };
}

export async function measureRareChars(): Promise<BudgetResult[]> {
  const loadStart = performance.now();
  const index = await loadRareCharIndex();
  const loadMs = performance.now() - loadStart;
  const keys = keysOf(index);
  const decoded = new Map(
    keys.map(([radical, residual]) => [`${radical}.${residual}`, index.lookup(radical, residual)]),
  );

  const lookupTimes = timeKeys(keys, (radical, residual) => index.lookup(radical, residual));
  const floor = timeKeys(keys, (radical, residual) => decoded.get(`${radical}.${residual}`) ?? []).flat();
  const lookups = lookupTimes.flat();
  const p50 = median(lookups);
  const p95 = percentile(lookups, 95);
  const slowest = slowestKey(lookupTimes, keys);
  const largest = Math.max(...[...decoded.values()].map((cps) => cps.length));

  const chunk = shippedChunk();
  const sizeKb = gzipSync(chunk.bytes, { level: 9 }).length / 1024;
  const plain = Object.fromEntries(
    [...decoded].map(([key, cps]) => [key, cps.map((cp) => String.fromCodePoint(cp)).join("")]),
  );
  const plainKb = gzipSync(JSON.stringify(plain), { level: 9 }).length / 1024;
  const characters = new Set([...decoded.values()].flat()).size;

  return [
    {
      name: "生僻字 lookup (radical + strokes → characters)",
      value: round(p50, 2),
      unit: "µs",
      floor: round(median(floor), 2),
      ratio: round(p50 / median(floor), 1),
      budget: LOOKUP_BUDGET_US,
      withinBudget: p95 <= LOOKUP_BUDGET_US && slowest.us <= LOOKUP_BUDGET_US,
      p95: round(p95, 2),
      floorP95: round(percentile(floor, 95), 2),
      samples: lookups.length,
      note:
        `${keys.length} keys × ${ROUNDS}; slowest key ${slowest.key} (median ${round(slowest.us, 1)} µs), ` +
        `largest bucket ${largest} characters; floor: Map.get of the decoded arrays; ` +
        `first load (import + parse) ${round(loadMs, 1)} ms`,
    },
    {
      name: "生僻字 index size gzip",
      value: round(sizeKb, 1),
      unit: "KB",
      floor: round(plainKb, 1),
      ratio: round(sizeKb / plainKb, 2),
      budget: SIZE_BUDGET_KB,
      withinBudget: sizeKb <= SIZE_BUDGET_KB,
      note: `${chunk.path} (${round(chunk.bytes.length / 1024, 1)} KB raw), ${characters} characters; floor: the same buckets as plain JSON of the characters`,
    },
  ];
}
