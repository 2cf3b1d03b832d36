// 生僻字录入: builds the radical/stroke index of every CJK unified ideograph from Debian's Unihan
// data (package unicode-data) and writes it to shared/rare-chars/unihan-index.ts, which is
// committed. Run `node scripts/build-rare-char-index.mjs` after unicode-data changes;
// test/unit/rare-chars.test.ts rebuilds it in memory and fails when the committed file is stale.
//
// Sources: kRSUnicode (radical.residual, ' marks a simplified radical form; several readings
// → the character is listed under each), kTotalStrokes (a radical's own stroke count: the first,
// zh-Hans, value for its ideograph — today's count, so 骨 is 9 where the Kangxi dictionary has 10),
// kCompatibilityVariant (compatibility ideographs are left out: NFC turns them into
// their unified twin, and names are stored in NFC), CJKRadicals.txt (radical → its ideograph).
//
// Index format (parsed by shared/rare-chars/lookup.ts): an array of strings, one per radical, in
// CJKRadicals.txt order (a simplified form right after its radical):
//     <radical>,<radical ideograph>,<own strokes>{;<residual strokes>=<runs>}
//   <runs>: the bucket's code points in ascending order as runs of consecutive code points, each
//   run two numbers: gap since the end of the previous run (from 0 for the first), length − 1.
//   A number is written in base 26, most significant digit first: A–Z for every digit but the
//   last, a–z for the last (0 = "a", 26 = "Ba").
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const UNICODE_DIR = "/usr/share/unicode";
export const INDEX_MODULE = join(import.meta.dirname, "..", "shared", "rare-chars", "unihan-index.ts");

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";

/** n ≥ 0 in the index's base-26 digits (see the header). */
export function encodeNumber(n) {
  if (!Number.isInteger(n) || n < 0) throw new Error(`cannot encode ${n}`);
  let out = LOWER[n % 26];
  for (let rest = Math.floor(n / 26); rest > 0; rest = Math.floor(rest / 26)) out = UPPER[rest % 26] + out;
  return out;
}

/** Ascending code points → the runs string. */
export function encodeRuns(codePoints) {
  let out = "";
  let next = 0; // first code point after the previous run
  for (let i = 0; i < codePoints.length; ) {
    let j = i;
    while (j + 1 < codePoints.length && codePoints[j + 1] === codePoints[j] + 1) j++;
    out += encodeNumber(codePoints[i] - next) + encodeNumber(j - i);
    next = codePoints[j] + 1;
    i = j + 1;
  }
  return out;
}

/** The lines of a Unihan file (plain or .bz2, read through bzcat). */
function readUnicodeFile(dir, name) {
  const path = join(dir, name);
  try {
    return execFileSync(name.endsWith(".bz2") ? "bzcat" : "cat", [path], {
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch (error) {
    throw new Error(`cannot read ${path} (install the Debian package unicode-data): ${error.message}`);
  }
}

/** The Unihan fields the index needs, and the version, from the files in `dir`. */
export function readUnihan(dir = UNICODE_DIR) {
  const irg = readUnicodeFile(dir, "Unihan_IRGSources.txt.bz2");
  const version = irg.match(/^# Unicode version: (\d+\.\d+\.\d+)$/m)?.[1];
  /** @type {Map<number, string>} */
  const rsUnicode = new Map();
  /** @type {Map<number, number>} */
  const totalStrokes = new Map();
  const compatibility = new Set();
  for (const line of irg.split("\n")) {
    const [cp, field, value] = line.split("\t");
    if (!cp?.startsWith("U+") || value === undefined) continue;
    const codePoint = Number.parseInt(cp.slice(2), 16);
    if (field === "kRSUnicode") rsUnicode.set(codePoint, value);
    else if (field === "kTotalStrokes") totalStrokes.set(codePoint, Number(value.split(" ")[0]));
    else if (field === "kCompatibilityVariant") compatibility.add(codePoint);
  }
  const radicals = [];
  for (const line of readUnicodeFile(dir, "CJKRadicals.txt").split("\n")) {
    const match = line.match(/^(\d+'*);\s*([0-9A-F]*);\s*([0-9A-F]+)\s*$/);
    if (match) radicals.push({ key: match[1], ideograph: Number.parseInt(match[3], 16) });
  }
  if (radicals.length < 214 || rsUnicode.size === 0) throw new Error(`no Unihan radical data in ${dir}`);
  return { version: version ?? "unknown", rsUnicode, totalStrokes, compatibility, radicals };
}

/**
 * The index sections (format in the header) from readUnihan()'s data. Every reading of every
 * unified ideograph lands in exactly one bucket; a radical without characters of its own still
 * gets its section (it can be chosen, it just lists nothing).
 */
export function buildIndex({ rsUnicode, totalStrokes, compatibility, radicals }) {
  /** @type {Map<string, Map<number, number[]>>} radical key → residual strokes → code points */
  const buckets = new Map(radicals.map((r) => [r.key, new Map()]));
  const codePoints = [...rsUnicode.keys()].filter((cp) => !compatibility.has(cp)).sort((a, b) => a - b);
  for (const cp of codePoints) {
    const readings = new Set(rsUnicode.get(cp).split(" "));
    for (const reading of readings) {
      const match = reading.match(/^(\d+'*)\.(-?\d+)$/);
      if (!match) throw new Error(`U+${cp.toString(16).toUpperCase()}: unreadable kRSUnicode ${reading}`);
      const byResidual = buckets.get(match[1]);
      if (!byResidual) throw new Error(`U+${cp.toString(16).toUpperCase()}: radical ${match[1]} not in CJKRadicals`);
      const residual = Number(match[2]);
      const list = byResidual.get(residual) ?? [];
      list.push(cp);
      byResidual.set(residual, list);
    }
  }
  return radicals.map(({ key, ideograph }) => {
    const strokes = totalStrokes.get(ideograph);
    if (strokes === undefined) throw new Error(`radical ${key}: no kTotalStrokes for its ideograph`);
    const residuals = [...buckets.get(key)].sort(([a], [b]) => a - b);
    const body = residuals.map(([residual, cps]) => `;${residual}=${encodeRuns(cps)}`).join("");
    return `${key},${String.fromCodePoint(ideograph)},${strokes}${body}`;
  });
}

/** The committed module's text (laid out as biome formats it, so `biome check` leaves it be). */
export function renderIndexModule(version, sections) {
  return [
    "// Generated by scripts/build-rare-char-index.mjs from Debian's Unihan data: do not edit.",
    `// Unicode ${version}. Format: see that script; read it with shared/rare-chars/lookup.ts.`,
    `export const UNIHAN_VERSION = "${version}";`,
    "export const RARE_CHAR_INDEX: readonly string[] = [",
    ...sections.map((section) => `  "${section}",`),
    "];",
    "",
  ].join("\n");
}

/** The module text for the Unihan files in `dir`. */
export function generateIndexModule(dir = UNICODE_DIR) {
  const unihan = readUnihan(dir);
  return renderIndexModule(unihan.version, buildIndex(unihan));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const text = generateIndexModule(process.argv[2] ?? UNICODE_DIR);
  writeFileSync(INDEX_MODULE, text);
  console.log(`wrote ${INDEX_MODULE} (${Buffer.byteLength(text)} bytes)`);
}
