import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import type { Sql } from "../db/sql.js";
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
  consume(captchaId: string | undefined, answer: string | undefined): Promise<CaptchaCheck>;
}

export function captchas(sql: Sql, clock: Clock, hasher: CodeHasher, source: CaptchaSource): Captchas {
  const normalise = (answer: string) => answer.trim().toLowerCase();
  return {
    async issue() {
      const { svg, answer } = await source.create();
      const captchaId = randomUUID();
      const now = clock.now();
      await sql.run("DELETE FROM captchas WHERE expires_at <= ?", [now]);
      await sql.run("INSERT INTO captchas (id, answer_hash, expires_at) VALUES (?, ?, ?)", [
        captchaId,
        hasher.digest("captcha", normalise(answer)),
        now + CAPTCHA_TTL,
      ]);
      return { captchaId, svg, expiresIn: CAPTCHA_TTL / 1000 };
    },
    async consume(captchaId, answer) {
      if (!captchaId || !answer) return "missing";
      const row = await sql.one<{ answer_hash: string; expires_at: number }>(
        "DELETE FROM captchas WHERE id = ? RETURNING answer_hash, expires_at",
        [captchaId],
      );
      if (!row || row.expires_at <= clock.now()) return "invalid";
      return hasher.matches("captcha", normalise(answer), row.answer_hash) ? "ok" : "invalid";
    },
  };
}
