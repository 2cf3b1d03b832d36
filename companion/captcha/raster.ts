import { deflateSync } from "node:zlib";

/** A point in pixels (x right, y down). */
export type Point = readonly [number, number];
export type Rgb = readonly [number, number, number];

/** Horizontal lines sampled per pixel row: the anti-aliasing's vertical resolution. */
const SUBSAMPLES = 5;

/**
 * A small RGB canvas that fills polygons, anti-aliased, by the nonzero rule: what the captcha
 * needs, drawn in this process without an image library (one would cost the idle companion tens
 * of MB for a 150 × 50 picture).
 */
export class Canvas {
  readonly pixels: Float32Array;
  private readonly coverage: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb,
  ) {
    this.pixels = new Float32Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.pixels.set(background, i * 3);
    this.coverage = new Float32Array(width * height);
  }

  /** Fills the union of the closed polygons with the colour at the opacity. */
  fill(polygons: readonly (readonly Point[])[], color: Rgb, opacity = 1): void {
    const edges: Array<[number, number, number, number]> = [];
    let top = Number.POSITIVE_INFINITY;
    let bottom = Number.NEGATIVE_INFINITY;
    for (const polygon of polygons) {
      for (let i = 0; i < polygon.length; i++) {
        const [x0, y0] = polygon[i] as Point;
        const [x1, y1] = polygon[(i + 1) % polygon.length] as Point;
        if (y0 === y1) continue;
        edges.push([x0, y0, x1, y1]);
        top = Math.min(top, y0, y1);
        bottom = Math.max(bottom, y0, y1);
      }
    }
    const firstRow = Math.max(0, Math.floor(top));
    const lastRow = Math.min(this.height - 1, Math.ceil(bottom));
    if (firstRow > lastRow) return;
    const { coverage, width } = this;
    coverage.fill(0, firstRow * width, (lastRow + 1) * width);
    const crossings: Array<[number, number]> = [];
    for (let row = firstRow; row <= lastRow; row++) {
      for (let sub = 0; sub < SUBSAMPLES; sub++) {
        const y = row + (sub + 0.5) / SUBSAMPLES;
        crossings.length = 0;
        for (const [x0, y0, x1, y1] of edges) {
          if ((y0 <= y && y < y1) || (y1 <= y && y < y0)) {
            crossings.push([x0 + ((y - y0) / (y1 - y0)) * (x1 - x0), y1 > y0 ? 1 : -1]);
          }
        }
        crossings.sort((a, b) => a[0] - b[0]);
        let winding = 0;
        for (let i = 0; i < crossings.length - 1; i++) {
          winding += (crossings[i] as [number, number])[1];
          if (winding !== 0)
            this.span(row, (crossings[i] as [number, number])[0], (crossings[i + 1] as [number, number])[0]);
        }
      }
    }
    for (let row = firstRow; row <= lastRow; row++) {
      for (let x = 0; x < width; x++) {
        const at = row * width + x;
        const alpha = Math.min(1, (coverage[at] ?? 0) / SUBSAMPLES) * opacity;
        if (alpha === 0) continue;
        for (let channel = 0; channel < 3; channel++) {
          const i = at * 3 + channel;
          this.pixels[i] = (this.pixels[i] ?? 0) * (1 - alpha) + color[channel]! * alpha;
        }
      }
    }
  }

  /** Adds one sample line's coverage of [from, to) to the row, exactly at the ends. */
  private span(row: number, from: number, to: number): void {
    const start = Math.max(0, from);
    const end = Math.min(this.width, to);
    if (end <= start) return;
    const base = row * this.width;
    const first = Math.floor(start);
    const last = Math.min(this.width - 1, Math.floor(end));
    if (first === last) {
      this.coverage[base + first]! += end - start;
      return;
    }
    this.coverage[base + first]! += first + 1 - start;
    for (let x = first + 1; x < last; x++) this.coverage[base + x]! += 1;
    if (last < this.width) this.coverage[base + last]! += end - last;
  }

  /** The picture as 8-bit RGB. */
  rgb(): Uint8Array {
    return Uint8Array.from(this.pixels, (value) => Math.max(0, Math.min(255, Math.round(value))));
  }
}

/** A closed ellipse (a dot or a blot) as a polygon. */
export function ellipse(cx: number, cy: number, rx: number, ry: number, sides = 24): Point[] {
  return Array.from({ length: sides }, (_, i): Point => {
    const angle = (2 * Math.PI * i) / sides;
    return [cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)];
  });
}

/** A line of the given width along the points, as one quadrilateral per segment (their union is the stroke). */
export function strokeOf(points: readonly Point[], lineWidth: number): Point[][] {
  const half = lineWidth / 2;
  const quads: Point[][] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const [x0, y0] = points[i] as Point;
    const [x1, y1] = points[i + 1] as Point;
    const length = Math.hypot(x1 - x0, y1 - y0) || 1;
    // Each segment runs a little into the next, so the joints have no gaps.
    const [ux, uy] = [((x1 - x0) / length) * half * 0.5, ((y1 - y0) / length) * half * 0.5];
    const [nx, ny] = [(-(y1 - y0) / length) * half, ((x1 - x0) / length) * half];
    quads.push([
      [x0 - ux + nx, y0 - uy + ny],
      [x1 + ux + nx, y1 + uy + ny],
      [x1 + ux - nx, y1 + uy - ny],
      [x0 - ux - nx, y0 - uy - ny],
    ]);
  }
  return quads;
}

/** A colour from hue (degrees), saturation and lightness (percent). */
export function hsl(hue: number, saturation: number, lightness: number): Rgb {
  const s = saturation / 100;
  const l = lightness / 100;
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    return 255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1)));
  };
  return [channel(0), channel(8), channel(4)];
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), 8 + data.length);
  return out;
}

/** An 8-bit RGB PNG of the pixels: the header, the image data and the end, nothing else. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, adaptive filtering, no interlace
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    // Filter 0 (none) on every row: the noise leaves nothing for a filter to gain.
    rows.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}
