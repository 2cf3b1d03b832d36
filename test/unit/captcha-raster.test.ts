import opentype from "opentype.js";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { CAPTCHA_ALPHABET, captchaFontPaths } from "../../companion/captcha/captcha-picture.js";
import { Canvas, encodePng, hsl } from "../../companion/captcha/raster.js";
import { readGlyphOutlines } from "../../companion/captcha/truetype-outlines.js";

describe("readGlyphOutlines", () => {
  it("reads every captcha glyph of every font as a font library does", () => {
    for (const path of captchaFontPaths()) {
      const font = opentype.loadSync(path);
      const outlines = readGlyphOutlines(path, CAPTCHA_ALPHABET);
      for (const char of CAPTCHA_ALPHABET) {
        const ours = outlines.get(char)!;
        expect(ours.unitsPerEm).toBe(font.unitsPerEm);
        // opentype.js's path at size unitsPerEm is in font units with y flipped: every on-curve
        // point of ours is an end point of one of its commands.
        const ends = new Set(
          font
            .getPath(char, 0, 0, font.unitsPerEm)
            .commands.filter((c) => c.type !== "Z")
            .map((c) => `${Math.round((c as { x: number }).x)},${Math.round(-(c as { y: number }).y)}`),
        );
        const onCurve = ours.contours.flat().filter((p) => p.onCurve);
        expect(onCurve.length, `${path} ${char}`).toBeGreaterThan(2);
        for (const p of onCurve) expect(ends.has(`${p.x},${p.y}`), `${path} ${char} ${p.x},${p.y}`).toBe(true);
      }
    }
  });
});

describe("Canvas and encodePng", () => {
  it("fills anti-aliased by the nonzero rule and writes a PNG other decoders read", async () => {
    const canvas = new Canvas(20, 10, [255, 255, 255]);
    // A square with a square hole wound the other way: the hole stays white.
    canvas.fill(
      [
        [
          [2, 2],
          [12, 2],
          [12, 8],
          [2, 8],
        ],
        [
          [4, 4],
          [4, 6],
          [8, 6],
          [8, 4],
        ],
      ],
      [0, 0, 0],
    );
    // Half a pixel covered: half the ink.
    canvas.fill(
      [
        [
          [15, 2],
          [16.5, 2],
          [16.5, 3],
          [15, 3],
        ],
      ],
      [0, 0, 0],
    );
    const { data, info } = await sharp(encodePng(20, 10, canvas.rgb()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 20, height: 10, channels: 3 });
    const at = (x: number, y: number) => data[(y * 20 + x) * 3] as number;
    expect(at(3, 3)).toBe(0);
    expect(at(5, 5)).toBe(255);
    expect(at(0, 0)).toBe(255);
    expect(at(15, 2)).toBe(0);
    expect(at(16, 2)).toBeGreaterThan(120);
    expect(at(16, 2)).toBeLessThan(135);
  });

  it("converts HSL like CSS does", () => {
    expect(hsl(0, 100, 50).map(Math.round)).toEqual([255, 0, 0]);
    expect(hsl(120, 100, 25).map(Math.round)).toEqual([0, 128, 0]);
    expect(hsl(240, 50, 95).map(Math.round)).toEqual([236, 236, 249]);
  });
});
