import sharp from "sharp";

/**
 * Draws the companion's captcha (a PNG data: URL) as text, so a terminal client can show it. The
 * picture is shrunk to two pixels per character cell, its upper and lower half, and each half is
 * inked where it is darker than the picture's light background: ▀ ▄ █ or a space. The glyphs are
 * dark on a light ground, so a threshold between the two keeps them and drops most of the noise.
 */
export async function captchaToText(image: string, columns = 80): Promise<string> {
  const png = Buffer.from(image.replace(/^data:image\/png;base64,/, ""), "base64");
  const { width = 1, height = 1 } = await sharp(png).metadata();
  // A terminal cell is about twice as tall as wide: a half cell is square.
  const rows = Math.max(1, Math.round((height * columns) / width / 2));
  const { data } = await sharp(png)
    .greyscale()
    .resize(columns, 2 * rows, { fit: "fill", kernel: "cubic" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const sorted = [...data].sort((a, b) => a - b);
  // The background is most of the picture: its median is the light ground, ink is well below it.
  const threshold = (sorted[Math.floor(sorted.length / 2)] ?? 255) * 0.72;
  const inked = (halfRow: number, column: number) => (data[halfRow * columns + column] ?? 255) < threshold;
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
