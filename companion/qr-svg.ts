/** A QR code as SVG. The encoder loads on first use: starting the companion does not need it. */
export async function qrSvg(text: string): Promise<string> {
  const qrcode = (await import("qrcode")).default;
  return qrcode.toString(text, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
}
