/**
 * 生僻字 drawn, not shown as code points: the fonts the pages declare for rare characters, as the
 * bootstrap installs them on Linux, cover the picker's characters block by block. Measured from
 * each font's own character map (fontconfig), against every ideograph of the Unihan index.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadRareCharIndex } from "../../shared/rare-chars/lookup.js";

/**
 * Each block with the share of its ideographs that must be drawn. Ext G and H (Unicode 13 and 15):
 * no Debian font covers them whole (BabelStone Han draws about 60% and 54%); the picker lists the
 * rest after the drawn ones, by code point.
 */
const BLOCKS = [
  ["CJK Unified Ideographs", 0x4e00, 0x9fff, 0.99],
  ["Ext A", 0x3400, 0x4dbf, 0.99],
  ["Ext B", 0x20000, 0x2a6df, 0.99],
  ["Ext C", 0x2a700, 0x2b73f, 0.99],
  ["Ext D", 0x2b740, 0x2b81f, 0.99],
  ["Ext E", 0x2b820, 0x2ceaf, 0.99],
  ["Ext F", 0x2ceb0, 0x2ebef, 0.99],
  ["Ext G", 0x30000, 0x3134f, 0.6],
  ["Ext H", 0x31350, 0x323af, 0.5],
] as const;

/** The families of base.css's --font-rare, in order. */
function declaredRareFonts(): string[] {
  const css = readFileSync("extension/styles/base.css", "utf8");
  const list = /--font-rare:\s*([^;]+);/.exec(css)?.[1];
  if (!list) throw new Error("base.css declares no --font-rare");
  return list.split(",").map((family) => family.trim().replace(/^"|"$/g, ""));
}

/** The code point ranges a font family has glyphs for, from fontconfig; [] when it is not installed. */
function charset(family: string): [number, number][] {
  const files = execFileSync("fc-list", ["--format", "%{file}\n", `:family=${family}`], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  return files.flatMap((file) =>
    execFileSync("fc-query", ["--format", "%{charset}", file], { encoding: "utf8" })
      .trim()
      .split(/\s+/)
      .map((range): [number, number] => {
        const [from = "", to = from] = range.split("-");
        return [Number.parseInt(from, 16), Number.parseInt(to, 16)];
      }),
  );
}

let allCodePoints: number[];
beforeAll(async () => {
  const index = await loadRareCharIndex();
  allCodePoints = index.radicals.flatMap((radical) =>
    index.residualStrokes(radical.key).flatMap((residual) => index.lookup(radical.key, residual)),
  );
});

describe("fonts for rare characters", () => {
  it("are installed on Linux: HanaMinB and BabelStone Han lead --font-rare", () => {
    const fonts = declaredRareFonts();
    expect(fonts.slice(0, 2)).toEqual(["HanaMinB", "BabelStone Han"]);
    for (const family of fonts.slice(0, 2)) expect(charset(family).length, family).toBeGreaterThan(0);
  });

  it("draw every block to Ext F nearly whole, and most of Ext G and H", () => {
    const ranges = [...declaredRareFonts(), "Noto Sans CJK SC"].flatMap(charset);
    const covered = (codePoint: number) => ranges.some(([from, to]) => codePoint >= from && codePoint <= to);
    const coverage = BLOCKS.map(([block, first, last, wanted]) => {
      const chars = allCodePoints.filter((codePoint) => codePoint >= first && codePoint <= last);
      const drawn = chars.filter(covered).length;
      return { block, characters: chars.length, drawn, share: drawn / chars.length, wanted };
    });
    console.table(coverage.map((row) => ({ ...row, share: `${(row.share * 100).toFixed(2)}%` })));
    for (const row of coverage) {
      expect(row.characters, row.block).toBeGreaterThan(0);
      expect(row.share, row.block).toBeGreaterThanOrEqual(row.wanted);
    }
  });
});
