/**
 * Draws the companion's captcha (an SVG of filled glyph outlines plus a few noise curves) as text,
 * so a terminal client can show it. A tiny rasteriser: the path commands M, L, Q, C and Z (absolute,
 * as svg-captcha writes them) are flattened into polygons and filled by scanlines with the
 * non-zero winding rule (SVG's default). Each character cell is two pixels, its upper and lower
 * half, each sampled on a 4×4 grid, and printed as ▀ ▄ █ or a space. The noise curves (paths with
 * fill="none") are left out: they are there to trouble OCR programs, not people.
 */

type Point = [number, number];
type Polygon = Point[];

/** Line segments per Bézier curve: smooth enough at terminal resolution. */
const CURVE_STEPS = 8;
/** Samples across and down each half cell. */
const GRID = 4;
/** Of the GRID×GRID samples in a half cell, how many must fall inside a glyph to ink it. */
const INK_THRESHOLD = 2;

export function captchaToText(svg: string, columns = 80): string {
  const [width, height] = viewBox(svg);
  const glyphs = [...svg.matchAll(/<path\b([^>]*)>/g)]
    .map((match) => match[1] ?? "")
    .filter((attributes) => attribute(attributes, "fill") !== "none")
    .map((attributes) => flatten(attribute(attributes, "d") ?? ""));

  // A terminal cell is about twice as tall as wide: a half cell is square.
  const rows = Math.ceil(height / (2 * (width / columns)));
  const sample = width / columns / GRID;
  const hits = Array.from({ length: 2 * rows }, () => new Array<number>(columns).fill(0));
  for (let sy = 0; sy < 2 * rows * GRID; sy++) {
    const y = (sy + 0.5) * sample;
    for (const glyph of glyphs) {
      for (const [from, to] of insideSpans(glyph, y)) {
        for (
          let sx = Math.max(0, Math.ceil(from / sample - 0.5));
          (sx + 0.5) * sample < to && sx < columns * GRID;
          sx++
        ) {
          const row = hits[Math.floor(sy / GRID)]!;
          row[Math.floor(sx / GRID)]! += 1;
        }
      }
    }
  }

  const inked = (halfRow: number, column: number) => (hits[halfRow]?.[column] ?? 0) >= INK_THRESHOLD;
  const lines: string[] = [];
  for (let row = 0; row < rows; row++) {
    let line = "";
    for (let column = 0; column < columns; column++) {
      const top = inked(2 * row, column);
      const bottom = inked(2 * row + 1, column);
      line += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    lines.push(line.trimEnd());
  }
  return lines.join("\n").replace(/^\n+|\n+$/g, "");
}

/**
 * Where the horizontal line at y is inside the glyph: its edges' crossings, left to right, each
 * adding its direction to the winding number; inside wherever that number is not zero.
 */
function insideSpans(polygons: Polygon[], y: number): Array<[number, number]> {
  const crossings: Array<[number, number]> = [];
  for (const polygon of polygons) {
    for (let k = 0; k < polygon.length; k++) {
      const [x0, y0] = polygon[k]!;
      const [x1, y1] = polygon[(k + 1) % polygon.length]!;
      if (y0 <= y === y1 <= y) continue;
      crossings.push([x0 + ((y - y0) / (y1 - y0)) * (x1 - x0), y1 > y0 ? 1 : -1]);
    }
  }
  crossings.sort((a, b) => a[0] - b[0]);
  const spans: Array<[number, number]> = [];
  let winding = 0;
  for (const [x, direction] of crossings) {
    const before = winding;
    winding += direction;
    if (before === 0 && winding !== 0) spans.push([x, x]);
    if (before !== 0 && winding === 0) spans.at(-1)![1] = x;
  }
  return spans;
}

function viewBox(svg: string): [number, number] {
  const box = svg.match(/viewBox="[\d.]+[ ,]+[\d.]+[ ,]+([\d.]+)[ ,]+([\d.]+)"/);
  const width = Number(box?.[1] ?? svg.match(/width="([\d.]+)"/)?.[1] ?? 120);
  const height = Number(box?.[2] ?? svg.match(/height="([\d.]+)"/)?.[1] ?? 40);
  return [width, height];
}

function attribute(attributes: string, name: string): string | undefined {
  return attributes.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1];
}

const isCommand = (token: string) => /^[a-z]$/i.test(token);

/** The path's subpaths as closed polygons (Bézier curves sampled at CURVE_STEPS points). */
function flatten(d: string): Polygon[] {
  const tokens = d.match(/[a-z]|-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi) ?? [];
  const polygons: Polygon[] = [];
  let current: Polygon = [];
  let at: Point = [0, 0];
  let command = "";
  let i = 0;
  const number = () => Number(tokens[i++]);
  const point = (): Point => [number(), number()];
  const curve = (controls: Point[]) => {
    const from = at;
    for (let s = 1; s <= CURVE_STEPS; s++) current.push(bezier([from, ...controls], s / CURVE_STEPS));
    at = controls.at(-1)!;
  };

  while (i < tokens.length) {
    // A number where a command letter could be repeats the last command (after M, as L).
    if (isCommand(tokens[i]!)) {
      const letter = tokens[i++]!;
      command = letter === "z" ? "Z" : letter;
    } else if (command === "M") command = "L";
    else if (command === "Z" || command === "") {
      i++; // a stray number
      continue;
    }
    switch (command) {
      case "M":
        if (current.length > 1) polygons.push(current);
        at = point();
        current = [at];
        break;
      case "L":
        at = point();
        current.push(at);
        break;
      case "Q":
        curve([point(), point()]);
        break;
      case "C":
        curve([point(), point(), point()]);
        break;
      case "Z":
        if (current.length > 1) polygons.push(current);
        at = current[0] ?? at;
        current = [at];
        break;
      default:
        // A command this sampler does not know (H, V, S, T, A, or relative): skip its numbers.
        if (i < tokens.length && !isCommand(tokens[i]!)) i++;
    }
  }
  if (current.length > 1) polygons.push(current);
  return polygons;
}

/** De Casteljau: the point at t on the Bézier curve with these control points. */
function bezier(points: Point[], t: number): Point {
  let level = points;
  while (level.length > 1) {
    level = level.slice(1).map(([x, y], k) => {
      const [px, py] = level[k]!;
      return [px + (x - px) * t, py + (y - py) * t] as Point;
    });
  }
  return level[0]!;
}
