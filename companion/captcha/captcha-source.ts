import svgCaptcha from "svg-captcha";

/** Where captcha images come from. The companion uses random ones; tests may pass a known answer. */
export interface CaptchaSource {
  create(): { svg: string; answer: string };
}

/** Random 4-character image captcha, drawn as SVG paths (no text the page could read). */
export const randomCaptchaSource: CaptchaSource = {
  create() {
    const { data, text } = svgCaptcha.create({
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

// The package's callable export draws a given text; its type declarations omit it.
const drawText = svgCaptcha as unknown as (text: string, options: svgCaptcha.ConfigObject) => string;

/** The same picture machinery with a fixed answer, for tests that must solve it. */
export function fixedCaptchaSource(answer: string): CaptchaSource {
  return {
    create: () => ({ svg: drawText(answer, { width: 120, height: 40 }), answer }),
  };
}
