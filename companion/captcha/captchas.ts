import { randomUUID } from "node:crypto";
import type { CaptchaResponse } from "../../shared/api/accounts.js";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import { AppError } from "../errors.js";
import type { CodeHasher } from "../security/secrets.js";
import { tokenBucket } from "../sockets/rate-limit.js";
import type { CaptchaSource } from "./captcha-source.js";
import type { CaptchaStore } from "./captcha-store.js";

const CAPTCHA_TTL = 5 * MINUTE;
/**
 * Captchas kept at once; past it the oldest go. A flood then costs other people at most a fresh
 * picture, never the companion's disk or a refusal to draw theirs.
 */
const MAX_STORED = 1_000;
/** Drawing costs a few milliseconds of CPU: a person needs a handful a minute, a flood is cut off. */
export const CAPTCHA_ISSUE_RATE = { burst: 20, perSecond: 5 };

export type CaptchaCheck = "ok" | "missing" | "invalid";

export interface Captchas {
  /** `image` is a PNG as a data: URL. */
  issue(): Promise<CaptchaResponse>;
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
  issueRate?: { burst: number; perSecond: number };
  /** Every captcha says it comes from a sandbox (whose answer is known). */
  sandbox?: boolean;
}

export function captchaService({
  store,
  clock,
  hasher,
  source,
  issueRate = CAPTCHA_ISSUE_RATE,
  sandbox = false,
}: CaptchaDeps): Captchas {
  const normalise = (answer: string) => answer.trim().toLowerCase();
  const issuing = tokenBucket(issueRate.burst, issueRate.perSecond);
  return {
    async issue() {
      if (!issuing.admit()) throw new AppError("RATE_LIMITED", { retryAfter: 1 });
      const { png, answer } = await source.create();
      const captchaId = randomUUID();
      const now = clock.now();
      await store.transaction(async () => {
        await store.dropExpired(now);
        await store.insert(captchaId, {
          answerHash: hasher.digest("captcha", normalise(answer)),
          expiresAt: now + CAPTCHA_TTL,
        });
        await store.keepNewest(MAX_STORED);
      });
      return {
        captchaId,
        image: `data:image/png;base64,${png.toString("base64")}`,
        expiresIn: CAPTCHA_TTL / 1000,
        ...(sandbox && { sandbox: true as const }),
      };
    },
    async consume(captchaId, answer) {
      if (!captchaId || !answer) return "missing";
      const captcha = await store.take(captchaId);
      if (!captcha || captcha.expiresAt <= clock.now()) return "invalid";
      return hasher.matches("captcha", normalise(answer), captcha.answerHash) ? "ok" : "invalid";
    },
  };
}
