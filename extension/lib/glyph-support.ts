/**
 * Can the page's fonts draw a character? Draws it on a small canvas and compares the pixels with
 * those of code points no font has (U+10FFFD, U+0378): Chromium draws every missing glyph as the
 * same box (tofu), whatever the character. Widths would not tell: the box is as wide as an
 * ideograph. Answers are cached per font.
 */
const SIZE = 32;
const NO_GLYPH = [0x10fffd, 0x0378];

export type GlyphProbe = (codePoint: number) => boolean;

const probes = new Map<string, GlyphProbe>();

export function glyphProbe(fontFamily: string): GlyphProbe {
  let probe = probes.get(fontFamily);
  if (!probe) {
    probe = createProbe(fontFamily);
    probes.set(fontFamily, probe);
  }
  return probe;
}

function createProbe(fontFamily: string): GlyphProbe {
  const context = document.createElement("canvas").getContext("2d", { willReadFrequently: true });
  if (!context) return () => true; // no canvas: show every glyph (the code point is in its title anyway)
  context.canvas.width = SIZE;
  context.canvas.height = SIZE;
  context.font = `24px ${fontFamily}`;
  context.textBaseline = "top";
  const pixels = (codePoint: number): Uint8ClampedArray => {
    context.clearRect(0, 0, SIZE, SIZE);
    context.fillText(String.fromCodePoint(codePoint), 2, 2);
    return context.getImageData(0, 0, SIZE, SIZE).data;
  };
  const missing = NO_GLYPH.map(pixels);
  const known = new Map<number, boolean>();
  return (codePoint) => {
    let drawable = known.get(codePoint);
    if (drawable === undefined) {
      const drawn = pixels(codePoint);
      drawable = drawn.some((v) => v !== 0) && !missing.some((box) => same(box, drawn));
      known.set(codePoint, drawable);
    }
    return drawable;
  };
}

function same(a: Uint8ClampedArray, b: Uint8ClampedArray): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
