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

/** The same picture machinery with a fixed answer, for tests that must solve it. */
export function fixedCaptchaSource(answer: string): CaptchaSource {
  return {
    create: async () => ({ png: await captchaPng(answer), answer }),
  };
}
