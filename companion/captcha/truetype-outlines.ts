import { readFileSync } from "node:fs";

/** A point of a glyph's outline, in font units (y up), and whether the outline passes through it. */
export interface OutlinePoint {
  x: number;
  y: number;
  onCurve: boolean;
}
/** One glyph: its closed contours (TrueType quadratic outlines), in font units. */
export interface GlyphOutline {
  contours: OutlinePoint[][];
  unitsPerEm: number;
}

/**
 * Reads the outlines of a few characters straight from a TrueType file (the `cmap`, `loca` and
 * `glyf` tables) and lets the file go. A font library would parse every glyph and table into
 * objects worth tens of MB that the companion would keep for good; the captcha needs 20 glyphs.
 */
export function readGlyphOutlines(file: string, chars: string): Map<string, GlyphOutline> {
  const font = readFileSync(file);
  const tables = new Map<string, number>();
  for (let i = 0, count = font.readUInt16BE(4); i < count; i++) {
    const record = 12 + 16 * i;
    tables.set(font.toString("latin1", record, record + 4), font.readUInt32BE(record + 8));
  }
  const table = (tag: string): number => {
    const at = tables.get(tag);
    if (at === undefined) throw new Error(`${file}: no ${tag} table (not a TrueType font)`);
    return at;
  };
  const head = table("head");
  const unitsPerEm = font.readUInt16BE(head + 18);
  const longOffsets = font.readInt16BE(head + 50) === 1;
  const loca = table("loca");
  const glyf = table("glyf");
  const glyphAt = (glyph: number): [number, number] =>
    longOffsets
      ? [font.readUInt32BE(loca + 4 * glyph), font.readUInt32BE(loca + 4 * glyph + 4)]
      : [font.readUInt16BE(loca + 2 * glyph) * 2, font.readUInt16BE(loca + 2 * glyph + 2) * 2];
  const glyphOf = characterMap(font, table("cmap"));

  function contoursOf(glyph: number, depth = 0): OutlinePoint[][] {
    const [start, end] = glyphAt(glyph);
    if (end <= start) return [];
    const at = glyf + start;
    const contourCount = font.readInt16BE(at);
    if (contourCount >= 0) return simpleGlyph(font, at, contourCount);
    if (depth > 4) throw new Error(`${file}: composite glyphs nested too deep`);
    return compositeGlyph(font, at, (component) => contoursOf(component, depth + 1));
  }

  const outlines = new Map<string, GlyphOutline>();
  for (const char of chars) {
    const glyph = glyphOf(char.codePointAt(0) ?? 0);
    if (!glyph) throw new Error(`${file}: no glyph for ${char}`);
    outlines.set(char, { contours: contoursOf(glyph), unitsPerEm });
  }
  return outlines;
}

/** The glyph index of a code point, from the Unicode BMP subtable (format 4) of `cmap`. */
function characterMap(font: Buffer, cmap: number): (codePoint: number) => number {
  let subtable = -1;
  for (let i = 0, count = font.readUInt16BE(cmap + 2); i < count; i++) {
    const record = cmap + 4 + 8 * i;
    const platform = font.readUInt16BE(record);
    const encoding = font.readUInt16BE(record + 2);
    const at = cmap + font.readUInt32BE(record + 4);
    const unicode = (platform === 3 && encoding === 1) || platform === 0;
    if (unicode && font.readUInt16BE(at) === 4) subtable = at;
  }
  if (subtable < 0) throw new Error("no Unicode character map");
  const segments = font.readUInt16BE(subtable + 6) / 2;
  const ends = subtable + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  return (codePoint) => {
    for (let s = 0; s < segments; s++) {
      if (font.readUInt16BE(ends + 2 * s) < codePoint) continue;
      const first = font.readUInt16BE(starts + 2 * s);
      if (first > codePoint) return 0;
      const delta = font.readInt16BE(deltas + 2 * s);
      const rangeOffsetAt = rangeOffsets + 2 * s;
      const rangeOffset = font.readUInt16BE(rangeOffsetAt);
      if (rangeOffset === 0) return (codePoint + delta) & 0xffff;
      const glyph = font.readUInt16BE(rangeOffsetAt + rangeOffset + 2 * (codePoint - first));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}

const ON_CURVE = 0x01;
const X_SHORT = 0x02;
const Y_SHORT = 0x04;
const REPEAT = 0x08;
const X_SAME_OR_POSITIVE = 0x10;
const Y_SAME_OR_POSITIVE = 0x20;

function simpleGlyph(font: Buffer, at: number, contourCount: number): OutlinePoint[][] {
  const ends: number[] = [];
  for (let c = 0; c < contourCount; c++) ends.push(font.readUInt16BE(at + 10 + 2 * c));
  const pointCount = (ends.at(-1) ?? -1) + 1;
  let cursor = at + 10 + 2 * contourCount;
  cursor += 2 + font.readUInt16BE(cursor); // the hinting instructions
  const flags: number[] = [];
  while (flags.length < pointCount) {
    const flag = font.readUInt8(cursor++);
    flags.push(flag);
    if (flag & REPEAT) for (let n = font.readUInt8(cursor++); n > 0; n--) flags.push(flag);
  }
  const coordinates = (short: number, sameOrPositive: number): number[] => {
    const values: number[] = [];
    let value = 0;
    for (const flag of flags) {
      if (flag & short) {
        const step = font.readUInt8(cursor++);
        value += flag & sameOrPositive ? step : -step;
      } else if (!(flag & sameOrPositive)) {
        value += font.readInt16BE(cursor);
        cursor += 2;
      }
      values.push(value);
    }
    return values;
  };
  const xs = coordinates(X_SHORT, X_SAME_OR_POSITIVE);
  const ys = coordinates(Y_SHORT, Y_SAME_OR_POSITIVE);
  const contours: OutlinePoint[][] = [];
  let first = 0;
  for (const end of ends) {
    const contour: OutlinePoint[] = [];
    for (let p = first; p <= end; p++) {
      contour.push({ x: xs[p] ?? 0, y: ys[p] ?? 0, onCurve: ((flags[p] ?? 0) & ON_CURVE) !== 0 });
    }
    contours.push(contour);
    first = end + 1;
  }
  return contours;
}

const ARGS_ARE_WORDS = 0x0001;
const ARGS_ARE_XY = 0x0002;
const HAS_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const HAS_XY_SCALE = 0x0040;
const HAS_TWO_BY_TWO = 0x0080;

/** A glyph made of others (an accented letter, say), each moved and scaled into place. */
function compositeGlyph(font: Buffer, at: number, contoursOf: (glyph: number) => OutlinePoint[][]): OutlinePoint[][] {
  const contours: OutlinePoint[][] = [];
  let cursor = at + 10;
  for (let flags = MORE_COMPONENTS; flags & MORE_COMPONENTS; ) {
    flags = font.readUInt16BE(cursor);
    const component = font.readUInt16BE(cursor + 2);
    cursor += 4;
    let dx = 0;
    let dy = 0;
    if (flags & ARGS_ARE_WORDS) {
      [dx, dy] = [font.readInt16BE(cursor), font.readInt16BE(cursor + 2)];
      cursor += 4;
    } else {
      [dx, dy] = [font.readInt8(cursor), font.readInt8(cursor + 1)];
      cursor += 2;
    }
    // Point-matched placement is for hinting-grade fonts; these captcha fonts place by offsets.
    if (!(flags & ARGS_ARE_XY)) [dx, dy] = [0, 0];
    const f2dot14 = (offset: number) => font.readInt16BE(cursor + offset) / 16384;
    let [a, b, c, d] = [1, 0, 0, 1];
    if (flags & HAS_SCALE) {
      a = d = f2dot14(0);
      cursor += 2;
    } else if (flags & HAS_XY_SCALE) {
      [a, d] = [f2dot14(0), f2dot14(2)];
      cursor += 4;
    } else if (flags & HAS_TWO_BY_TWO) {
      [a, b, c, d] = [f2dot14(0), f2dot14(2), f2dot14(4), f2dot14(6)];
      cursor += 8;
    }
    for (const contour of contoursOf(component)) {
      contours.push(contour.map((p) => ({ x: a * p.x + c * p.y + dx, y: b * p.x + d * p.y + dy, onCurve: p.onCurve })));
    }
  }
  return contours;
}
