import jsQRModule from "jsqr";

// jsqr is CommonJS: its types (read as NodeNext) put the function on `default`, where the bundle has it too.
const jsQR = jsQRModule.default;

/** Pictures larger than this (px, longest side) are scaled down first: jsQR's time grows with the area. */
const MAX_SIDE = 1600;
/** Pictures smaller than this (an SVG without a size, a tiny crop) are drawn larger, pixels kept sharp. */
const MIN_SIDE = 480;

/** The text of the QR code in one frame or picture, or null when none is found. */
export function decodeQr(image: ImageData): string | null {
  return jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" })?.data ?? null;
}

/** A 2D context meant to be read back (getImageData) often. */
export function readableContext(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (!context) throw new Error("canvas 2d unavailable");
  return context;
}

export class UnreadableImageError extends Error {}

/**
 * The text of the QR code in a picture file (PNG, JPEG, GIF, WebP, BMP, SVG…): drawn on a canvas
 * with a white border — codes drawn with a thin quiet zone decode too — and read back. Null when
 * the picture holds no QR code; UnreadableImageError when it is not a picture at all.
 */
export async function decodeQrFile(file: Blob): Promise<string | null> {
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    image.src = url;
    try {
      await image.decode();
    } catch {
      throw new UnreadableImageError();
    }
    const width = image.naturalWidth || MIN_SIDE;
    const height = image.naturalHeight || MIN_SIDE;
    const longest = Math.max(width, height);
    const scale = longest > MAX_SIDE ? MAX_SIDE / longest : longest < MIN_SIDE ? Math.ceil(MIN_SIDE / longest) : 1;
    const w = Math.round(width * scale);
    const h = Math.round(height * scale);
    const border = Math.round(Math.max(w, h) * 0.05);
    const canvas = document.createElement("canvas");
    canvas.width = w + 2 * border;
    canvas.height = h + 2 * border;
    const context = readableContext(canvas);
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.imageSmoothingEnabled = scale < 1;
    context.drawImage(image, border, border, w, h);
    return decodeQr(context.getImageData(0, 0, canvas.width, canvas.height));
  } finally {
    URL.revokeObjectURL(url);
  }
}
