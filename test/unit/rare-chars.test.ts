/** 生僻字录入: the radical/stroke index built from Unihan, its committed copy, and its lookup. */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { insertAtSelection } from "../../extension/lib/insert-text.js";
import {
  buildIndex,
  encodeNumber,
  encodeRuns,
  generateIndexModule,
  INDEX_MODULE,
  readUnihan,
  type UnihanData,
} from "../../scripts/build-rare-char-index.mjs";
import {
  decodeRuns,
  formatCodePoint,
  loadRareCharIndex,
  parseRareCharIndex,
  type RareCharIndex,
} from "../../shared/rare-chars/lookup.js";

let unihan: UnihanData;
let index: RareCharIndex;

beforeAll(async () => {
  unihan = readUnihan();
  index = await loadRareCharIndex();
});

const under = (radical: string, residual: number) => index.lookup(radical, residual);

describe("the index builder", () => {
  it("writes numbers in base 26 (A–Z leading digits, a–z last) and code points as runs", () => {
    expect([0, 25, 26, 675, 676, 0x20bb7].map(encodeNumber)).toEqual(["a", "z", "Ba", "Zz", "BAa", "HQIp"]);
    const cps = [0x4e00, 0x4e01, 0x4e02, 0x4e05, 0x20000, 0x2a6d6];
    // runs (gap, length − 1): 4E00–4E02, 4E05, 20000, 2A6D6
    expect(encodeRuns(cps)).toBe(["BDOa", "c", "c", "a", "GIJa", "a", "CLEr", "a"].join(""));
    expect(decodeRuns(encodeRuns(cps))).toEqual(cps);
    expect(decodeRuns("")).toEqual([]);
  });

  it("is committed current: regenerating from /usr/share/unicode gives the same file", () => {
    // Stale? Run `node scripts/build-rare-char-index.mjs` and commit shared/rare-chars/unihan-index.ts.
    expect(generateIndexModule()).toBe(readFileSync(INDEX_MODULE, "utf8"));
    expect(index.version).toBe(unihan.version);
  });

  it("gives the same sections when read back", () => {
    const sections = buildIndex(unihan);
    const again = parseRareCharIndex(sections, unihan.version);
    expect(again.radicals.map((r) => r.key)).toEqual(index.radicals.map((r) => r.key));
    expect(again.lookup("30", 3)).toEqual(under("30", 3));
  });

  it("fits the budget: the index is ≤ 400 KB gzip", () => {
    expect(gzipSync(readFileSync(INDEX_MODULE)).length).toBeLessThanOrEqual(400 * 1024);
  });
});

describe("the 214 radicals and their simplified forms", () => {
  it("has every Kangxi radical once, and 26 simplified forms", () => {
    const kangxi = index.radicals.filter((r) => !r.simplified);
    expect(kangxi.map((r) => r.number)).toEqual(Array.from({ length: 214 }, (_, i) => i + 1));
    expect(index.radicals.filter((r) => r.simplified)).toHaveLength(26);
    expect(index.radical("1")).toMatchObject({ char: "一", strokes: 1 });
    expect(index.radical("140")).toMatchObject({ char: "艸", strokes: 6 });
    expect(index.radical("162")).toMatchObject({ char: "辵", strokes: 7 });
    expect(index.radical("214")).toMatchObject({ char: "龠", strokes: 17 });
  });

  it("groups radicals by their own stroke count (zh-Hans kTotalStrokes), Kangxi order within a group", () => {
    expect(index.groups.map((g) => g.strokes)).toEqual([...index.groups.map((g) => g.strokes)].sort((a, b) => a - b));
    expect(index.groups[0]?.radicals.map((r) => r.char)).toEqual(["一", "丨", "丶", "丿", "乙", "亅"]);
    for (const group of index.groups) {
      const numbers = group.radicals.map((r) => r.number);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
    const listed = index.groups.flatMap((g) => g.radicals.map((r) => r.key));
    expect([...listed].sort()).toEqual(index.radicals.map((r) => r.key).sort());
    // Today's counts, not the Kangxi dictionary's: 廴 2 (Kangxi 3), 骨 9 (10), 鼎 12 (13).
    expect(["54", "188", "206"].map((key) => index.radical(key)?.strokes)).toEqual([2, 9, 12]);
  });

  it("puts simplified forms with their own stroke count: 纟 3, 讠 2, 钅 5, 门 3, 龟 7", () => {
    const groupOf = (key: string) => index.groups.find((g) => g.radicals.some((r) => r.key === key))?.strokes;
    expect(index.radical("120'")).toMatchObject({ number: 120, simplified: true, char: "纟", strokes: 3 });
    expect(["120'", "149'", "167'", "169'", "213'"].map(groupOf)).toEqual([3, 2, 5, 3, 7]);
    expect(groupOf("120")).toBe(6); // 糸
  });

  it("files simplified-radical readings under the simplified form: 红 under 纟+3, 紅 under 糸+3", () => {
    expect(under("120'", 3)).toContain(0x7ea2);
    expect(under("120'", 3)).not.toContain(0x7d05);
    expect(under("120", 3)).toContain(0x7d05);
    expect(under("120", 3)).not.toContain(0x7ea2);
    expect(under("197'", 0)).toContain(0x5364); // 卤: 25.5 and 197'.0
    expect(under("25", 5)).toContain(0x5364);
  });
});

describe("characters from every CJK block", () => {
  it.each([
    ["URO 一", 0x4e00, "1", 0],
    ["URO 吉", 0x5409, "30", 3],
    ["compatibility block, unified 﨎", 0xfa0e, "29", 11],
    ["Ext A", 0x3400, "1", 4],
    ["Ext B 𠀀", 0x20000, "1", 1],
    ["Ext B 𠮷", 0x20bb7, "30", 3],
    ["Ext B", 0x2a6d6, "214", 20],
    ["Ext C", 0x2a700, "1", 2],
    ["Ext D", 0x2b740, "1", 2],
    ["Ext D", 0x2b81d, "213", 12],
    ["Ext E", 0x2cea1, "214", 12],
    ["Ext F", 0x2ceb0, "1", 1],
    ["Ext F", 0x2ebe0, "214", 8],
    ["Ext G", 0x30000, "1", 1],
    ["Ext G", 0x3134a, "214", 8],
    ["Ext H", 0x323af, "214", 9],
  ])("%s U+%s", (_, codePoint, radical, residual) => {
    expect(under(radical, residual)).toContain(codePoint);
  });

  it("lists a character under each of its readings: 龜 (5.10, 213.0), U+2B820 (56.-1, 62.-2)", () => {
    expect(under("5", 10)).toContain(0x4e80);
    expect(under("213", 0)).toContain(0x4e80);
    expect(under("56", -1)).toContain(0x2b820);
    expect(under("62", -2)).toContain(0x2b820);
    expect(index.residualStrokes("56")[0]).toBeLessThan(0);
  });

  it("lists every unified ideograph, no compatibility ideograph, and only NFC-stable characters", () => {
    const listed = new Set<number>();
    let readings = 0;
    for (const radical of index.radicals) {
      for (const residual of index.residualStrokes(radical.key)) {
        const cps = index.lookup(radical.key, residual);
        expect(cps.length).toBeGreaterThan(0);
        readings += cps.length;
        for (const cp of cps) listed.add(cp);
      }
    }
    const unified = [...unihan.rsUnicode.keys()].filter((cp) => !unihan.compatibility.has(cp));
    expect(listed.size).toBe(unified.length);
    expect(listed.size).toBeGreaterThanOrEqual(97_058); // Unicode 15.0: URO, Ext A–H and the 12 in F900–FAFF
    expect(readings).toBeGreaterThan(listed.size);
    expect(listed.has(0xf900)).toBe(false); // 豈, compatibility ideograph: NFC makes it 豈 U+8C48
    expect([...listed].filter((cp) => String.fromCodePoint(cp).normalize("NFC") !== String.fromCodePoint(cp))).toEqual(
      [],
    );
  });

  it("answers [] for keys it does not have, and formats code points as U+XXXX", () => {
    expect(index.lookup("999", 1)).toEqual([]);
    expect(index.lookup("1", 99)).toEqual([]);
    expect(index.residualStrokes("999")).toEqual([]);
    expect([0x4e00, 0x20bb7].map(formatCodePoint)).toEqual(["U+4E00", "U+20BB7"]);
  });
});

describe("inserting the chosen character into the name", () => {
  const JI = "\u{20BB7}"; // 𠮷, two UTF-16 units
  it("goes in at the caret, or in place of the selection; the caret follows it", () => {
    expect(insertAtSelection("张晓", 1, 1, JI)).toEqual({ value: `张${JI}晓`, caret: 3 });
    expect(insertAtSelection("张晓", 1, 2, JI)).toEqual({ value: `张${JI}`, caret: 3 });
    expect(insertAtSelection("张", null, null, JI)).toEqual({ value: `张${JI}`, caret: 3 });
    expect(insertAtSelection(`${JI}明`, 2, 2, "·")).toEqual({ value: `${JI}·明`, caret: 3 });
    expect(insertAtSelection("ab", 9, 1, "c")).toEqual({ value: "abc", caret: 3 });
  });
});
