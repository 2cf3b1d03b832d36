import { randomInt, randomUUID } from "node:crypto";
import type { FaceStep } from "../../shared/api/accounts.js";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import { AppError } from "../errors.js";
import { tokenBucket } from "../sockets/rate-limit.js";
import type { FaceChallengeStore } from "./face-challenge-store.js";

/** Long enough to look straight and make three moves, short enough that a challenge is not hoarded. */
const CHALLENGE_TTL = 3 * MINUTE;
/** Challenges kept at once; past it the oldest go, so a flood costs others a new one, never the disk. */
const MAX_STORED = 500;
/** A person needs one per attempt (each takes seconds); a flood is cut off. */
export const FACE_CHALLENGE_ISSUE_RATE = { burst: 10, perSecond: 2 };

/**
 * The moves of one attempt, from the CSPRNG: both turns in a random order, and a tilt to a random side
 * at a random place among them (12 different challenges). A recording of one attempt answers another
 * only by chance, and the tries of a day are few.
 */
export function randomSteps(): FaceStep[] {
  const steps: FaceStep[] = randomInt(2) === 0 ? ["turn-left", "turn-right"] : ["turn-right", "turn-left"];
  steps.splice(randomInt(3), 0, randomInt(2) === 0 ? "tilt-left" : "tilt-right");
  return steps;
}

export interface FaceChallengeDeps {
  store: FaceChallengeStore;
  clock: Clock;
  issueRate?: { burst: number; perSecond: number };
}

/** 活体检测 challenges: issued per attempt, answered once, within a few minutes. */
export function faceChallengeService({ store, clock, issueRate = FACE_CHALLENGE_ISSUE_RATE }: FaceChallengeDeps) {
  const issuing = tokenBucket(issueRate.burst, issueRate.perSecond);
  return {
    async issue(): Promise<{ challengeId: string; steps: FaceStep[]; expiresIn: number }> {
      if (!issuing.admit()) throw new AppError("RATE_LIMITED", { retryAfter: 1 });
      const challengeId = randomUUID();
      const steps = randomSteps();
      const now = clock.now();
      await store.issue(challengeId, { steps, expiresAt: now + CHALLENGE_TTL }, now, MAX_STORED);
      return { challengeId, steps, expiresIn: CHALLENGE_TTL / 1000 };
    },
    /** Uses the challenge up and answers its moves; FACE_CHALLENGE_INVALID when unknown, used or expired. */
    async take(challengeId: string): Promise<FaceStep[]> {
      const challenge = await store.take(challengeId);
      if (!challenge || challenge.expiresAt <= clock.now()) throw new AppError("FACE_CHALLENGE_INVALID");
      return challenge.steps;
    },
  };
}
export type FaceChallenges = ReturnType<typeof faceChallengeService>;
