import { randomUUID } from "node:crypto";
import type { Captchas } from "../captcha/captchas.js";
import type { Clock } from "../clock.js";
import { DAY } from "../clock.js";
import { AppError } from "../errors.js";
import type { AttemptGuardStore } from "../security/attempt-guard-store.js";
import { type CaptchaAnswer, captchaRefusal } from "../security/captcha-gate.js";
import { type CodeHasher, randomCode } from "../security/secrets.js";
import type { HallIdentity, RegistrationCodeStore } from "./registration-code-store.js";

export type { HallIdentity };

/** Seed: 注册码 valid 7 days, 6 random digits/letters. */
export const REGISTRATION_CODE_TTL = 7 * DAY;
export const REGISTRATION_CODE_MAX_FAILURES = 5;

export interface IssuedRegistrationCode {
  code: string;
  expiresAt: number;
}

export interface RegistrationCodes {
  /** Issues a code bound to the person; any earlier unused code for the same document stops working. */
  issue(identity: HallIdentity): Promise<IssuedRegistrationCode>;
  /**
   * Checks a code against the person (the code is bound to 证件, 姓名 and 国籍); a wrong one is
   * counted (committed) before the refusal, and the next try at the document needs `captcha`.
   * Returns the code's id.
   */
  check(identity: HallIdentity, code: string, captcha: CaptchaAnswer): Promise<string>;
  /** True while the code is unused, not replaced and not expired. */
  isActive(codeId: string): Promise<boolean>;
  identityOf(codeId: string): Promise<HallIdentity | null>;
  /** Marks the code used, inside the caller's transaction; false if it no longer is active. */
  consume(codeId: string): Promise<boolean>;
}

export interface RegistrationCodeDeps {
  store: RegistrationCodeStore;
  guards: AttemptGuardStore;
  captchas: Captchas;
  clock: Clock;
  hasher: CodeHasher;
}

/**
 * Wrong codes are counted per document, whether or not it has a live code (or belongs to someone
 * registered): every 证件号码 answers alike, and nobody spends another person's code without
 * solving a captcha per try. A new code from the hall starts the count afresh.
 */
export function registrationCodeService({
  store,
  guards,
  captchas,
  clock,
  hasher,
}: RegistrationCodeDeps): RegistrationCodes {
  const purposeOf = (identity: HallIdentity) => `registration:${identity.docType}:${identity.docNumber}`;
  // Hashed: the counter table must not keep a list of the document numbers people typed.
  const subjectOf = (identity: Pick<HallIdentity, "docType" | "docNumber">) =>
    `registration:${hasher.digest("registration-guard", `${identity.docType}:${identity.docNumber}`)}`;
  const identityOf = (codeId: string) => store.liveIdentity(codeId, clock.now());

  return {
    async issue(identity) {
      const code = randomCode(6);
      const now = clock.now();
      const expiresAt = now + REGISTRATION_CODE_TTL;
      await store.transaction(async () => {
        await store.replaceUnused(identity.docType, identity.docNumber, now);
        await guards.clear(subjectOf(identity));
        await store.insert({
          id: randomUUID(),
          docType: identity.docType,
          docNumber: identity.docNumber,
          name: identity.name,
          nationality: identity.nationality,
          codeHash: hasher.digest(purposeOf(identity), code),
          issuedAt: now,
          expiresAt,
        });
      });
      return { code, expiresAt };
    },

    async check(identity, code, captcha) {
      const subject = subjectOf(identity);
      // One transaction: the counter read locked, the captcha consumed, the code checked, the try counted.
      const outcome = await store.transaction(async () => {
        const guard = await guards.lockedGuardOf(subject);
        const failures = guard?.failures ?? 0;
        if (failures >= REGISTRATION_CODE_MAX_FAILURES) return { refusal: new AppError("REGISTRATION_CODE_LOCKED") };
        const refusal = await captchaRefusal(captchas, guard?.captchaRequired === true, captcha);
        if (refusal) return { refusal };
        const live = await store.lockedLiveCodeOf(identity.docType, identity.docNumber, clock.now());
        const right =
          live !== undefined &&
          live.name === identity.name &&
          live.nationality === identity.nationality &&
          hasher.matches(purposeOf(identity), code.toUpperCase(), live.codeHash);
        if (right) {
          await guards.clear(subject);
          return { id: live.id };
        }
        await guards.put(subject, { failures: failures + 1, captchaRequired: true, lockedUntil: null });
        return failures + 1 >= REGISTRATION_CODE_MAX_FAILURES
          ? { refusal: new AppError("REGISTRATION_CODE_LOCKED") }
          : { refusal: new AppError("REGISTRATION_CODE_INVALID", { captchaRequired: true }) };
      });
      if (outcome.refusal) throw outcome.refusal;
      return outcome.id as string;
    },

    isActive: async (codeId) => (await identityOf(codeId)) !== null,
    identityOf,
    consume: (codeId) => store.markUsed(codeId, clock.now()),
  };
}
