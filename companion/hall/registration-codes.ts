import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import { DAY } from "../clock.js";
import { AppError } from "../errors.js";
import { countedGuess } from "../security/counted-guess.js";
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
  /** Checks a code against the person (the code is bound to 证件, 姓名 and 国籍); a wrong one is counted (committed) before the refusal. Returns the code's id. */
  check(identity: HallIdentity, code: string): Promise<string>;
  /** True while the code is unused, not replaced and not expired. */
  isActive(codeId: string): Promise<boolean>;
  identityOf(codeId: string): Promise<HallIdentity | null>;
  /** Marks the code used, inside the caller's transaction; false if it no longer is active. */
  consume(codeId: string): Promise<boolean>;
}

export interface RegistrationCodeDeps {
  store: RegistrationCodeStore;
  clock: Clock;
  hasher: CodeHasher;
}

export function registrationCodeService({ store, clock, hasher }: RegistrationCodeDeps): RegistrationCodes {
  const purposeOf = (identity: HallIdentity) => `registration:${identity.docType}:${identity.docNumber}`;
  const identityOf = (codeId: string) => store.liveIdentity(codeId, clock.now());

  return {
    async issue(identity) {
      const code = randomCode(6);
      const now = clock.now();
      const expiresAt = now + REGISTRATION_CODE_TTL;
      await store.transaction(async () => {
        await store.replaceUnused(identity.docType, identity.docNumber, now);
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

    async check(identity, code) {
      const outcome = await store.transaction(async () => {
        const row = await store.lockedLiveCodeOf(identity.docType, identity.docNumber, clock.now());
        const result = await countedGuess(
          row,
          REGISTRATION_CODE_MAX_FAILURES,
          (live) =>
            live.name === identity.name &&
            live.nationality === identity.nationality &&
            hasher.matches(purposeOf(identity), code.toUpperCase(), live.codeHash),
          (live) => store.countFailure(live.id),
        );
        return { result, id: row?.id };
      });
      if (outcome.result === "locked") throw new AppError("REGISTRATION_CODE_LOCKED");
      if (outcome.result === "invalid" || !outcome.id) throw new AppError("REGISTRATION_CODE_INVALID");
      return outcome.id;
    },

    isActive: async (codeId) => (await identityOf(codeId)) !== null,
    identityOf,
    consume: (codeId) => store.markUsed(codeId, clock.now()),
  };
}
