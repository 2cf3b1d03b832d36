import { randomInt } from "node:crypto";
import { createRequire } from "node:module";
import type { Font, PathCommand } from "opentype.js";

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

let fonts: Promise<Font[]> | undefined;
// Parsing the fonts takes tens of milliseconds and a few MB: do it on the first captcha, not at
// start-up, so the companion is ready sooner and idles smaller.
const loadFonts = (): Promise<Font[]> => {
  fonts ??= import("opentype.js").then((module) => {
    // A CommonJS (UMD) package: Node's ESM loader gives its exports as `default` only, bundlers as names.
    const opentype = typeof module.loadSync === "function" ? module : module.default;
    return captchaFontPaths().map((path) => opentype.loadSync(path));
  });
  return fonts;
};

/** A random number in [from, to), from the CSPRNG: the picture must not be predictable. */
const between = (from: number, to: number) => from + (randomInt(0, 1_000_000) / 1_000_000) * (to - from);
const pick = <T>(items: readonly T[]): T => items[randomInt(0, items.length)] as T;

type Transform = (x: number, y: number) => [number, number];

/** Dark ink of a random hue for a glyph or a stroke, light enough backgrounds keep it readable. */
const ink = () => `hsl(${randomInt(0, 360)},${randomInt(45, 80)}%,${randomInt(18, 36)}%)`;

function glyphPath(font: Font, char: string, place: Transform): string {
  const size = between(30, 40);
  const path = font.getPath(char, 0, 0, size);
  const box = path.getBoundingBox();
  const centreX = (box.x1 + box.x2) / 2;
  const centreY = (box.y1 + box.y2) / 2;
  const angle = (between(-28, 28) * Math.PI) / 180;
  const shear = between(-0.3, 0.3);
  const stretch = between(0.8, 1.15);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const transform: Transform = (x, y) => {
    const dx = (x - centreX) * stretch + shear * (y - centreY);
    const dy = y - centreY;
    return place(dx * cos - dy * sin, dx * sin + dy * cos);
  };
  return path.commands.map((command) => pathCommand(command, transform)).join("");
}

function pathCommand(command: PathCommand, transform: Transform): string {
  const point = (x: number, y: number) =>
    transform(x, y)
      .map((n) => n.toFixed(2))
      .join(" ");
  switch (command.type) {
    case "M":
    case "L":
      return `${command.type}${point(command.x, command.y)}`;
    case "Q":
      return `Q${point(command.x1, command.y1)} ${point(command.x, command.y)}`;
    case "C":
      return `C${point(command.x1, command.y1)} ${point(command.x2, command.y2)} ${point(command.x, command.y)}`;
    case "Z":
      return "Z";
  }
}

/** The picture as SVG, only ever rasterised here: it holds the outlines and must not be served. */
async function captchaSvg(answer: string): Promise<string> {
  const loaded = await loadFonts();
  // Two sine waves bend the whole line, so no glyph keeps its font's shape.
  const waveX = { amplitude: between(1.5, 3.5), length: between(14, 24), phase: between(0, 2 * Math.PI) };
  const waveY = { amplitude: between(2, 4), length: between(18, 30), phase: between(0, 2 * Math.PI) };
  const warp: Transform = (x, y) => [
    x + waveX.amplitude * Math.sin(y / waveX.length + waveX.phase),
    y + waveY.amplitude * Math.sin(x / waveY.length + waveY.phase),
  ];
  // Slots narrower than the glyphs make neighbours touch, which defeats cutting the line into letters.
  const slot = (CAPTCHA_WIDTH - 24) / answer.length;
  const glyphs = [...answer].map((char, index) => {
    const centreX = 12 + slot * (index + 0.5) + between(-4, 4);
    const centreY = CAPTCHA_HEIGHT / 2 + between(-5, 5);
    const d = glyphPath(pick(loaded), char, (x, y) => warp(centreX + x, centreY + y));
    return `<path fill="${ink()}" d="${d}"/>`;
  });
  const strokes = Array.from({ length: 2 }, () => {
    const y = () => between(12, CAPTCHA_HEIGHT - 12).toFixed(1);
    return `<path fill="none" stroke="${ink()}" stroke-width="${between(1.6, 2.6).toFixed(1)}" d="M${between(0, 20).toFixed(1)} ${y()} C${between(30, 60).toFixed(1)} ${y()} ${between(90, 120).toFixed(1)} ${y()} ${between(130, CAPTCHA_WIDTH).toFixed(1)} ${y()}"/>`;
  });
  const dots = Array.from(
    { length: 40 },
    () =>
      `<circle cx="${between(0, CAPTCHA_WIDTH).toFixed(1)}" cy="${between(0, CAPTCHA_HEIGHT).toFixed(1)}" r="${between(0.6, 1.6).toFixed(1)}" fill="${ink()}"/>`,
  );
  const blots = Array.from(
    { length: 5 },
    () =>
      `<ellipse cx="${between(0, CAPTCHA_WIDTH).toFixed(1)}" cy="${between(0, CAPTCHA_HEIGHT).toFixed(1)}" rx="${between(10, 30).toFixed(1)}" ry="${between(6, 16).toFixed(1)}" fill="hsl(${randomInt(0, 360)},60%,80%)" opacity="0.35"/>`,
  );
  const background = `hsl(${randomInt(0, 360)},35%,95%)`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CAPTCHA_WIDTH}" height="${CAPTCHA_HEIGHT}"><rect width="100%" height="100%" fill="${background}"/>${blots.join("")}${glyphs.join("")}${strokes.join("")}${dots.join("")}</svg>`;
}

/** Rasterises the picture and scatters pixel noise over it; the PNG carries pixels only, no metadata. */
export async function captchaPng(answer: string): Promise<Buffer> {
  const sharp = (await import("sharp")).default;
  const svg = await captchaSvg(answer);
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let pixel = 0; pixel < info.width * info.height; pixel++) {
    if (randomInt(0, 100) >= 6) continue;
    const shift = randomInt(-90, 91);
    for (let channel = 0; channel < info.channels; channel++) {
      const at = pixel * info.channels + channel;
      data[at] = Math.max(0, Math.min(255, (data[at] ?? 0) + shift));
    }
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}
