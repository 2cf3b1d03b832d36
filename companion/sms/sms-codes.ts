import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import { DAY, MINUTE } from "../clock.js";
import type { Sql } from "../db/sql.js";
import { AppError, secondsUntil } from "../errors.js";
import { countedGuess } from "../security/counted-guess.js";
import { type CodeHasher, randomCode } from "../security/secrets.js";
import type { SmsGateway } from "./gateway.js";

export const SMS_CODE_TTL = 5 * MINUTE;
export const SMS_RESEND_COOLDOWN = MINUTE;
export const SMS_MAX_FAILURES = 5;
export const SMS_DAILY_LIMIT = 10;

export type SmsPurpose = "register" | "reset-password" | "declaration-reset";

const PURPOSE_TEXT: Record<SmsPurpose, string> = {
  register: "注册",
  "reset-password": "找回密码",
  "declaration-reset": "重置申报密码",
};

export interface SmsCodes {
  /** Sends a fresh 6-digit code, replacing older ones; refuses within the cooldown. */
  send(purpose: SmsPurpose, phone: string): Promise<{ resendAfter: number }>;
  /** Checks and consumes a code; a wrong code is counted (committed) before the refusal. */
  verify(purpose: SmsPurpose, phone: string, code: string): Promise<void>;
}

export function smsCodes(sql: Sql, clock: Clock, hasher: CodeHasher, gateway: SmsGateway): SmsCodes {
  return {
    async send(purpose, phone) {
      const code = randomCode(6, "0123456789");
      const id = randomUUID();
      const refused = await sql.transaction(async () => {
        const now = clock.now();
        const last = await sql.value<number>(
          "SELECT sent_at FROM sms_codes WHERE purpose = ? AND phone = ? ORDER BY sent_at DESC LIMIT 1",
          [purpose, phone],
        );
        if (last !== undefined && now - last < SMS_RESEND_COOLDOWN) {
          return new AppError("SMS_COOLDOWN", { retryAfter: secondsUntil(last + SMS_RESEND_COOLDOWN, now) });
        }
        const sentToday = await sql.value<number>("SELECT COUNT(*) FROM sms_codes WHERE phone = ? AND sent_at > ?", [
          phone,
          now - DAY,
        ]);
        if ((sentToday ?? 0) >= SMS_DAILY_LIMIT) {
          return new AppError("RATE_LIMITED", { retryAfter: secondsUntil(now + DAY, now) });
        }
        await sql.run(
          "UPDATE sms_codes SET replaced_at = ? WHERE purpose = ? AND phone = ? AND used_at IS NULL AND replaced_at IS NULL",
          [now, purpose, phone],
        );
        await sql.run(
          "INSERT INTO sms_codes (id, purpose, phone, code_hash, sent_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
          [id, purpose, phone, hasher.digest(`sms:${purpose}:${phone}`, code), now, now + SMS_CODE_TTL],
        );
        return null;
      });
      if (refused) throw refused;
      try {
        await gateway.send(
          phone,
          `【个人所得税】您正在进行${PURPOSE_TEXT[purpose]}，验证码 ${code}，5分钟内有效。请勿将验证码告诉他人。`,
        );
      } catch {
        // The code never reached the phone: drop it so the cooldown does not hold the person back.
        await sql.run("DELETE FROM sms_codes WHERE id = ?", [id]);
        throw new AppError("SMS_SEND_FAILED");
      }
      return { resendAfter: SMS_RESEND_COOLDOWN / 1000 };
    },

    async verify(purpose, phone, code) {
      const outcome = await sql.transaction(async () => {
        const row = await sql.one<{ id: string; code_hash: string; expires_at: number; failures: number }>(
          `SELECT id, code_hash, expires_at, failures FROM sms_codes
           WHERE purpose = ? AND phone = ? AND used_at IS NULL AND replaced_at IS NULL
           ORDER BY sent_at DESC LIMIT 1`,
          [purpose, phone],
        );
        const live = row && row.expires_at > clock.now() ? row : undefined;
        const result = await countedGuess(
          live,
          SMS_MAX_FAILURES,
          () => hasher.matches(`sms:${purpose}:${phone}`, code, live?.code_hash ?? ""),
          () => sql.run("UPDATE sms_codes SET failures = failures + 1 WHERE id = ?", [live?.id ?? null]),
        );
        if (result === "ok")
          await sql.run("UPDATE sms_codes SET used_at = ? WHERE id = ?", [clock.now(), live?.id ?? null]);
        return result;
      });
      if (outcome === "invalid") throw new AppError("SMS_CODE_INVALID");
      if (outcome === "locked") throw new AppError("SMS_CODE_LOCKED");
    },
  };
}
