import { randomInt } from "node:crypto";
import { createRequire } from "node:module";
import { Canvas, ellipse, encodePng, hsl, type Point, strokeOf } from "./raster.js";
import { type GlyphOutline, type OutlinePoint, readGlyphOutlines } from "./truetype-outlines.js";

/**
 * Draws a captcha as a PNG. The glyphs are outlines of several fonts, each scaled, sheared and
 * rotated on its own, then the whole line is warped by two sine waves, crossed by strokes in the
 * glyphs' colours and sprinkled with dots and pixel noise. Only pixels leave the companion: the
 * outlines exist in memory while drawing, so matching a font's shapes against the file does not
 * read it, and the variety of fonts and distortions defeats matching against the pixels.
 */

/** Characters people do not mix up in these fonts (no 0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, 9/G…). */
export const CAPTCHA_ALPHABET = "34678ACEFHJKMNPRTWXY";
export const CAPTCHA_LENGTH = 4;
export const CAPTCHA_WIDTH = 150;
export const CAPTCHA_HEIGHT = 50;

/** Bold cuts of four families (OFL), shipped as npm packages so every install has them. */
const FONT_FILES = [
  "@expo-google-fonts/oswald/500Medium/Oswald_500Medium.ttf",
  "@expo-google-fonts/oswald/700Bold/Oswald_700Bold.ttf",
  "@expo-google-fonts/pt-sans/700Bold/PTSans_700Bold.ttf",
  "@expo-google-fonts/pt-sans/700Bold_Italic/PTSans_700Bold_Italic.ttf",
  "@expo-google-fonts/pt-serif/700Bold/PTSerif_700Bold.ttf",
  "@expo-google-fonts/pt-serif/700Bold_Italic/PTSerif_700Bold_Italic.ttf",
  "@expo-google-fonts/courier-prime/700Bold/CourierPrime_700Bold.ttf",
];

export const captchaFontPaths = (): string[] => {
  const require = createRequire(import.meta.url);
  return FONT_FILES.map((file) => require.resolve(file));
};

let fonts: Map<string, GlyphOutline>[] | undefined;
// Read on the first captcha, not at start-up: the companion is ready sooner and idles smaller.
const loadFonts = (): Map<string, GlyphOutline>[] => {
  fonts ??= captchaFontPaths().map((path) => readGlyphOutlines(path, CAPTCHA_ALPHABET));
  return fonts;
};

/** A random number in [from, to), from the CSPRNG: the picture must not be predictable. */
const between = (from: number, to: number) => from + (randomInt(0, 1_000_000) / 1_000_000) * (to - from);
const pick = <T>(items: readonly T[]): T => items[randomInt(0, items.length)] as T;

type Transform = (x: number, y: number) => Point;

/** Dark ink of a random hue for a glyph or a stroke, light enough backgrounds keep it readable. */
const ink = () => hsl(randomInt(0, 360), randomInt(45, 80), randomInt(18, 36));

/** Segments per quadratic curve of an outline: smooth at these sizes. */
const CURVE_STEPS = 6;

/** A TrueType contour (quadratic, with implied on-curve midpoints) as a polyline through `place`. */
function flattenContour(contour: readonly OutlinePoint[], place: Transform): Point[] {
  const count = contour.length;
  const startAt = contour.findIndex((p) => p.onCurve);
  const first = Math.max(startAt, 0);
  const at = (i: number) => contour[(first + i) % count] as OutlinePoint;
  const midpoint = (a: OutlinePoint, b: OutlinePoint) => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
  // A contour of off-curve points only starts at the midpoint of its first two.
  let current = startAt < 0 ? midpoint(at(0), at(1)) : at(0);
  const points: Point[] = [place(current.x, current.y)];
  for (let i = 1; i <= count; i++) {
    const point = at(i);
    if (point.onCurve) {
      points.push(place(point.x, point.y));
      current = point;
      continue;
    }
    const next = at(i + 1);
    const end = next.onCurve ? next : midpoint(point, next);
    for (let step = 1; step <= CURVE_STEPS; step++) {
      const t = step / CURVE_STEPS;
      const x = (1 - t) ** 2 * current.x + 2 * (1 - t) * t * point.x + t ** 2 * end.x;
      const y = (1 - t) ** 2 * current.y + 2 * (1 - t) * t * point.y + t ** 2 * end.y;
      points.push(place(x, y));
    }
    current = end;
    if (next.onCurve) i += 1;
  }
  return points;
}

/** One glyph's polygons: scaled, stretched, sheared and rotated about its centre, then placed. */
function glyphPolygons(glyph: GlyphOutline, place: Transform): Point[][] {
  const scale = between(30, 40) / glyph.unitsPerEm;
  const all = glyph.contours.flat();
  const centreX = (Math.min(...all.map((p) => p.x)) + Math.max(...all.map((p) => p.x))) / 2;
  const centreY = (Math.min(...all.map((p) => p.y)) + Math.max(...all.map((p) => p.y))) / 2;
  const angle = (between(-28, 28) * Math.PI) / 180;
  const shear = between(-0.3, 0.3);
  const stretch = between(0.8, 1.15);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const transform: Transform = (x, y) => {
    // Font units point up; pixels point down.
    const dy = -(y - centreY) * scale;
    const dx = (x - centreX) * scale * stretch + shear * dy;
    return place(dx * cos - dy * sin, dx * sin + dy * cos);
  };
  return glyph.contours.map((contour) => flattenContour(contour, transform));
}

/** A cubic curve across the picture, as a polyline. */
function crossingCurve(): Point[] {
  const y = () => between(12, CAPTCHA_HEIGHT - 12);
  const [p0, p1, p2, p3]: Point[] = [
    [between(0, 20), y()],
    [between(30, 60), y()],
    [between(90, 120), y()],
    [between(130, CAPTCHA_WIDTH), y()],
  ];
  return Array.from({ length: 25 }, (_, i): Point => {
    const t = i / 24;
    const [a, b, c, d] = [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3];
    return [a * p0![0] + b * p1![0] + c * p2![0] + d * p3![0], a * p0![1] + b * p1![1] + c * p2![1] + d * p3![1]];
  });
}

/** Draws the picture and scatters pixel noise over it; the PNG carries pixels only, no metadata. */
export async function captchaPng(answer: string): Promise<Buffer> {
  const loaded = loadFonts();
  const canvas = new Canvas(CAPTCHA_WIDTH, CAPTCHA_HEIGHT, hsl(randomInt(0, 360), 35, 95));
  for (let i = 0; i < 5; i++) {
    const blot = ellipse(between(0, CAPTCHA_WIDTH), between(0, CAPTCHA_HEIGHT), between(10, 30), between(6, 16));
    canvas.fill([blot], hsl(randomInt(0, 360), 60, 80), 0.35);
  }
  // Two sine waves bend the whole line, so no glyph keeps its font's shape.
  const waveX = { amplitude: between(1.5, 3.5), length: between(14, 24), phase: between(0, 2 * Math.PI) };
  const waveY = { amplitude: between(2, 4), length: between(18, 30), phase: between(0, 2 * Math.PI) };
  const warp: Transform = (x, y) => [
    x + waveX.amplitude * Math.sin(y / waveX.length + waveX.phase),
    y + waveY.amplitude * Math.sin(x / waveY.length + waveY.phase),
  ];
  // Slots narrower than the glyphs make neighbours touch, which defeats cutting the line into letters.
  const slot = (CAPTCHA_WIDTH - 24) / answer.length;
  [...answer].forEach((char, index) => {
    const centreX = 12 + slot * (index + 0.5) + between(-4, 4);
    const centreY = CAPTCHA_HEIGHT / 2 + between(-5, 5);
    // Answers are not case-sensitive: a known answer (tests, the sandbox) may be given in lower case.
    const glyph = pick(loaded).get(char.toUpperCase());
    if (!glyph) throw new Error(`the captcha draws only ${CAPTCHA_ALPHABET}, not ${char}`);
    canvas.fill(
      glyphPolygons(glyph, (x, y) => warp(centreX + x, centreY + y)),
      ink(),
    );
  });
  for (let i = 0; i < 2; i++) canvas.fill(strokeOf(crossingCurve(), between(1.6, 2.6)), ink());
  for (let i = 0; i < 40; i++) {
    const radius = between(0.6, 1.6);
    canvas.fill([ellipse(between(0, CAPTCHA_WIDTH), between(0, CAPTCHA_HEIGHT), radius, radius, 8)], ink());
  }
  const pixels = canvas.rgb();
  for (let pixel = 0; pixel < CAPTCHA_WIDTH * CAPTCHA_HEIGHT; pixel++) {
    if (randomInt(0, 100) >= 6) continue;
    const shift = randomInt(-90, 91);
    for (let channel = 0; channel < 3; channel++) {
      const at = pixel * 3 + channel;
      pixels[at] = Math.max(0, Math.min(255, (pixels[at] ?? 0) + shift));
    }
  }
  return encodePng(CAPTCHA_WIDTH, CAPTCHA_HEIGHT, pixels);
}
