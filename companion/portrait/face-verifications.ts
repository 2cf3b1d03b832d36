import { randomUUID } from "node:crypto";
import type { FaceStep } from "../../shared/api/accounts.js";
import { addDays, shanghaiDate, startOfShanghaiDay } from "../../shared/dates.js";
import type { PeopleStore } from "../accounts/people.js";
import type { Captchas } from "../captcha/captchas.js";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import { AppError, secondsUntil } from "../errors.js";
import type { HallIdentity } from "../hall/registration-codes.js";
import { type CaptchaAnswer, captchaRefusal } from "../security/captcha-gate.js";
import type { FaceChallenges } from "./face-challenges.js";
import type { FaceEngine } from "./face-engine.js";
import { checkLiveness } from "./face-match.js";
import type { FaceVerificationStore } from "./face-verification-store.js";
import type { PortraitAuthority } from "./portrait-authority.js";

/** Failed face checks allowed per 居民身份证 per day (Asia/Shanghai). */
export const FACE_FAILURES_PER_DAY = 5;
/** A passed check is good for finishing the registration within this time. */
const VERIFICATION_TTL = 30 * MINUTE;

export interface FaceVerificationDeps {
  store: FaceVerificationStore;
  clock: Clock;
  people: PeopleStore;
  captchas: Captchas;
  engine: FaceEngine;
  authority: PortraitAuthority;
  challenges: FaceChallenges;
}

/**
 * Refusals that say something about the person's attempt. Anything else is not counted: our side
 * failing, and frames with no face in them (an unreadable picture, nobody in front of the camera),
 * which anyone could send in someone else's name.
 */
const COUNTED = new Set(["FACE_MULTIPLE", "FACE_NO_MATCH", "FACE_LIVENESS_FAILED", "FACE_NOT_ENROLLED"]);

/**
 * 人脸识别认证注册, the check: the frames show the moves of the attempt's challenge in order (the
 * liveness check), and the most frontal one matches the 公安人像库's portrait of that 居民身份证 and
 * 姓名. A passed check is the subject of a registration ticket, like a hall code: the same step 2
 * finishes both.
 */
export function faceVerificationService({
  store,
  clock,
  people,
  captchas,
  engine,
  authority,
  challenges,
}: FaceVerificationDeps) {
  const identityOf = async (id: string): Promise<HallIdentity | null> => {
    const verified = await store.unusedVerification(id, clock.now());
    return verified ? { docType: "居民身份证", ...verified, nationality: "中国" } : null;
  };

  async function judge(
    identity: { docNumber: string; name: string },
    frames: Uint8Array[],
    steps: readonly FaceStep[],
  ): Promise<void> {
    const found = [];
    for (const frame of frames) found.push(await engine.faces(frame));
    const liveness = checkLiveness(found, steps);
    if (!liveness.ok) throw new AppError(liveness.code);
    const verdict = await authority.compare(identity, {
      descriptor: liveness.frontal.descriptor,
      photo: frames[liveness.frontalIndex]!,
    });
    if (verdict.result === "not-enrolled") throw new AppError("FACE_NOT_ENROLLED");
    if (verdict.result === "no-match") throw new AppError("FACE_NO_MATCH");
  }

  return {
    /**
     * Runs the check of frames answering `challengeId`; the id of the passed verification, or the
     * refusal saying why. The challenge is used up whatever the outcome; an unknown, used or expired
     * one is refused before anything is counted. After a counted failure that day, each try at the
     * 居民身份证 needs `captcha`.
     */
    async verify(
      identity: { docNumber: string; name: string },
      attempt: { challengeId: string; frames: Uint8Array[] },
      captcha: CaptchaAnswer,
    ): Promise<string> {
      const steps = await challenges.take(attempt.challengeId);
      const day = shanghaiDate(clock.now());
      // Counted before the (slow) check, so concurrent tries cannot slip past the daily limit; the
      // captcha is consumed in the same transaction.
      const refusal = await store.transaction(async () => {
        const failures = await store.lockedFailuresOn(identity.docNumber, day);
        if (failures >= FACE_FAILURES_PER_DAY) {
          const tomorrow = startOfShanghaiDay(addDays(day, 1));
          return new AppError("FACE_DAILY_LIMIT", { retryAfter: secondsUntil(tomorrow, clock.now()) });
        }
        const captchaRefused = await captchaRefusal(captchas, failures > 0, captcha);
        if (!captchaRefused) await store.countFailure(identity.docNumber, day);
        return captchaRefused;
      });
      if (refusal) throw refusal;
      try {
        await judge(identity, attempt.frames, steps);
      } catch (error) {
        if (!(error instanceof AppError && COUNTED.has(error.code))) {
          await store.refundFailure(identity.docNumber, day);
          throw error;
        }
        // Counted: the next try needs a captcha, and the page shows its field.
        throw new AppError(error.code, { captchaRequired: true });
      }
      await store.refundFailure(identity.docNumber, day);
      // Only past a matching face, so only the person themselves learns that they are registered.
      if (await people.byDocument("居民身份证", identity.docNumber)) throw new AppError("ALREADY_REGISTERED");
      const id = randomUUID();
      const now = clock.now();
      await store.insertVerification({
        id,
        docNumber: identity.docNumber,
        name: identity.name,
        verifiedAt: now,
        expiresAt: now + VERIFICATION_TTL,
      });
      return id;
    },
    // The registration's view of a passed check, as of a hall code.
    isActive: async (id: string) => (await identityOf(id)) !== null,
    identityOf,
    consume: (id: string) => store.markUsed(id, clock.now()),
  };
}
export type FaceVerifications = ReturnType<typeof faceVerificationService>;
