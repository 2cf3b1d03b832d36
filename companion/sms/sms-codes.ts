import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import { DAY, MINUTE } from "../clock.js";
import { AppError, secondsUntil } from "../errors.js";
import { countedGuess } from "../security/counted-guess.js";
import { type CodeHasher, randomCode } from "../security/secrets.js";
import type { SmsGateway } from "./gateway.js";
import type { SmsCodeStore, SmsPurpose } from "./sms-code-store.js";

export const SMS_CODE_TTL = 5 * MINUTE;
export const SMS_RESEND_COOLDOWN = MINUTE;
export const SMS_MAX_FAILURES = 5;
export const SMS_DAILY_LIMIT = 10;

const PURPOSE_TEXT: Record<SmsPurpose, string> = {
  register: "注册",
  "reset-password": "找回密码",
  "declaration-reset": "重置申报密码",
  "bind-phone": "绑定手机",
};

export interface SmsCodes {
  /** Sends a fresh 6-digit code, replacing older ones; refuses within the cooldown. */
  send(purpose: SmsPurpose, phone: string): Promise<{ resendAfter: number }>;
  /**
   * Everything `send` does for an address that is no phone (a step that must not tell whether a
   * phone exists): the same cooldown, daily limit and tries, but the code goes nowhere.
   */
  sendNowhere(purpose: SmsPurpose, address: string): Promise<{ resendAfter: number }>;
  /** Checks and consumes a code; a wrong code is counted (committed) before the refusal. */
  verify(purpose: SmsPurpose, phone: string, code: string): Promise<void>;
}

export interface SmsCodeDeps {
  store: SmsCodeStore;
  clock: Clock;
  hasher: CodeHasher;
  gateway: SmsGateway;
}

export function smsCodeService({ store, clock, hasher, gateway }: SmsCodeDeps): SmsCodes {
  async function issue(purpose: SmsPurpose, phone: string, deliver: boolean) {
    const code = randomCode(6, "0123456789");
    const id = randomUUID();
    const refused = await store.transaction(async () => {
      await store.lockPhone(phone);
      const now = clock.now();
      const last = await store.lastSentAt(purpose, phone);
      if (last !== undefined && now - last < SMS_RESEND_COOLDOWN) {
        return new AppError("SMS_COOLDOWN", { retryAfter: secondsUntil(last + SMS_RESEND_COOLDOWN, now) });
      }
      if ((await store.sentSince(phone, now - DAY)) >= SMS_DAILY_LIMIT) {
        return new AppError("RATE_LIMITED", { retryAfter: secondsUntil(now + DAY, now) });
      }
      await store.replaceOpen(purpose, phone, now);
      await store.insert({
        id,
        purpose,
        phone,
        codeHash: hasher.digest(`sms:${purpose}:${phone}`, code),
        sentAt: now,
        expiresAt: now + SMS_CODE_TTL,
      });
      return null;
    });
    if (refused) throw refused;
    if (!deliver) return { resendAfter: SMS_RESEND_COOLDOWN / 1000 };
    try {
      await gateway.send(
        phone,
        `【个人所得税】您正在进行${PURPOSE_TEXT[purpose]}，验证码 ${code}，5分钟内有效。请勿将验证码告诉他人。`,
      );
    } catch {
      // The code never reached the phone: drop it so the cooldown does not hold the person back.
      await store.drop(id);
      throw new AppError("SMS_SEND_FAILED");
    }
    return { resendAfter: SMS_RESEND_COOLDOWN / 1000 };
  }

  return {
    send: (purpose, phone) => issue(purpose, phone, true),
    sendNowhere: (purpose, address) => issue(purpose, address, false),

    async verify(purpose, phone, code) {
      const outcome = await store.transaction(async () => {
        const open = await store.lockedOpenCodeOf(purpose, phone);
        const live = open && open.expiresAt > clock.now() ? open : undefined;
        const result = await countedGuess(
          live,
          SMS_MAX_FAILURES,
          (row) => hasher.matches(`sms:${purpose}:${phone}`, code, row.codeHash),
          (row) => store.countFailure(row.id),
        );
        if (result === "ok") await store.markUsed(live!.id, clock.now());
        return result;
      });
      if (outcome === "invalid") throw new AppError("SMS_CODE_INVALID");
      if (outcome === "locked") throw new AppError("SMS_CODE_LOCKED");
    },
  };
}
