import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import type { Db } from "../db/database.js";
import type { CodeHasher } from "../security/secrets.js";
import type { CaptchaSource } from "./captcha-source.js";

const CAPTCHA_TTL = 5 * MINUTE;

export type CaptchaCheck = "ok" | "missing" | "invalid";

export interface Captchas {
  issue(): Promise<{ captchaId: string; svg: string; expiresIn: number }>;
  /**
   * Consumes the captcha whatever the answer: one guess per picture. Call inside the caller's
   * transaction so the consumption commits with the counter it guards.
   */
  consume(captchaId: string | undefined, answer: string | undefined): CaptchaCheck;
}

export function captchas(db: Db, clock: Clock, hasher: CodeHasher, source: CaptchaSource): Captchas {
  const insert = db.prepare("INSERT INTO captchas (id, answer_hash, expires_at) VALUES (?, ?, ?)");
  const take = db.prepare("DELETE FROM captchas WHERE id = ? RETURNING answer_hash, expires_at");
  const purge = db.prepare("DELETE FROM captchas WHERE expires_at <= ?");
  const normalise = (answer: string) => answer.trim().toLowerCase();
  return {
    async issue() {
      const { svg, answer } = await source.create();
      const captchaId = randomUUID();
      const now = clock.now();
      purge.run(now);
      insert.run(captchaId, hasher.digest("captcha", normalise(answer)), now + CAPTCHA_TTL);
      return { captchaId, svg, expiresIn: CAPTCHA_TTL / 1000 };
    },
    consume(captchaId, answer) {
      if (!captchaId || !answer) return "missing";
      const row = take.get(captchaId) as { answer_hash: string; expires_at: number } | undefined;
      if (!row || row.expires_at <= clock.now()) return "invalid";
      return hasher.matches("captcha", normalise(answer), row.answer_hash) ? "ok" : "invalid";
    },
  };
}
