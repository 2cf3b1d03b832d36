import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import type { CodeHasher } from "../security/secrets.js";
import type { CaptchaSource } from "./captcha-source.js";
import type { CaptchaStore } from "./captcha-store.js";

const CAPTCHA_TTL = 5 * MINUTE;

export type CaptchaCheck = "ok" | "missing" | "invalid";

export interface Captchas {
  issue(): Promise<{ captchaId: string; svg: string; expiresIn: number }>;
  /**
   * Consumes the captcha whatever the answer: one guess per picture. Call inside the caller's
   * transaction so the consumption commits with the counter it guards.
   */
  consume(captchaId: string | undefined, answer: string | undefined): Promise<CaptchaCheck>;
}

export interface CaptchaDeps {
  store: CaptchaStore;
  clock: Clock;
  hasher: CodeHasher;
  source: CaptchaSource;
}

export function captchaService({ store, clock, hasher, source }: CaptchaDeps): Captchas {
  const normalise = (answer: string) => answer.trim().toLowerCase();
  return {
    async issue() {
      const { svg, answer } = await source.create();
      const captchaId = randomUUID();
      const now = clock.now();
      await store.dropExpired(now);
      await store.insert(captchaId, {
        answerHash: hasher.digest("captcha", normalise(answer)),
        expiresAt: now + CAPTCHA_TTL,
      });
      return { captchaId, svg, expiresIn: CAPTCHA_TTL / 1000 };
    },
    async consume(captchaId, answer) {
      if (!captchaId || !answer) return "missing";
      const captcha = await store.take(captchaId);
      if (!captcha || captcha.expiresAt <= clock.now()) return "invalid";
      return hasher.matches("captcha", normalise(answer), captcha.answerHash) ? "ok" : "invalid";
    },
  };
}
