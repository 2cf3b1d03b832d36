import type { ConfigObject } from "svg-captcha";

/** Where captcha images come from. The companion uses random ones; tests may pass a known answer. */
export interface CaptchaSource {
  create(): Promise<{ svg: string; answer: string }>;
}

// svg-captcha parses its font when loaded (~50 ms, several MB): load it on the first captcha, not
// at start-up, so the companion is ready sooner and idles smaller.
const loadSvgCaptcha = async () => (await import("svg-captcha")).default;

/** Random 4-character image captcha, drawn as SVG paths (no text the page could read). */
export const randomCaptchaSource: CaptchaSource = {
  async create() {
    const { data, text } = (await loadSvgCaptcha()).create({
      size: 4,
      noise: 3,
      color: true,
      ignoreChars: "0oO1ilI",
      width: 120,
      height: 40,
      background: "#f4f6fa",
    });
    return { svg: data, answer: text };
  },
};

/** The same picture machinery with a fixed answer, for tests that must solve it. */
export function fixedCaptchaSource(answer: string): CaptchaSource {
  return {
    async create() {
      // The package's callable export draws a given text; its type declarations omit it.
      const drawText = (await loadSvgCaptcha()) as unknown as (text: string, options: ConfigObject) => string;
      return { svg: drawText(answer, { width: 120, height: 40 }), answer };
    },
  };
}
