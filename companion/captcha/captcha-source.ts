import { randomCode } from "../security/secrets.js";
import { CAPTCHA_ALPHABET, CAPTCHA_LENGTH, captchaPng } from "./captcha-picture.js";

/** Where captcha pictures come from. The companion uses random ones; tests may pass a known answer. */
export interface CaptchaSource {
  create(): Promise<{ png: Buffer; answer: string }>;
}

/** A random answer, drawn as a distorted raster picture. */
export const randomCaptchaSource: CaptchaSource = {
  create: () => fixedCaptchaSource(randomCode(CAPTCHA_LENGTH, CAPTCHA_ALPHABET)).create(),
};

/** The same picture machinery with a fixed answer, for tests (and the sandbox) that must solve it. */
export function fixedCaptchaSource(answer: string): CaptchaSource {
  // Refused here rather than on the first picture: only these characters have glyphs.
  if (![...answer.toUpperCase()].every((char) => CAPTCHA_ALPHABET.includes(char))) {
    throw new Error(`a captcha answer uses only ${CAPTCHA_ALPHABET}: ${answer}`);
  }
  return {
    create: async () => ({ png: await captchaPng(answer), answer }),
  };
}
