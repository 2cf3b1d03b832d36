import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FaceStep } from "../../shared/api/accounts.js";
import { api, KNOWN_CAPTCHA_ANSWER, manualClock, type RunningCompanion, startCompanion } from "../support/companion.js";
import {
  answeredChallenge,
  base64Frames,
  enrollPortrait,
  faceById,
  faceChallenge,
  movesFrames,
  sampleFaces,
} from "../support/faces.js";
import { newPerson, solvedCaptcha, type TestPerson } from "../support/people.js";

/**
 * 活体检测 against replay: a recording of a head turn in a fixed order must not pass. Each attempt
 * gets a challenge from the companion (the turns' order and a tilt's side and place, random), which
 * the frames must show in that order, once, within minutes. Over real sockets, with the real model.
 */

// The real face model: ~0.3–1 s a photo on this machine.
const SLOW = 120_000;

let companion: RunningCompanion;
afterEach(async () => companion?.close());

beforeAll(async () => {
  await sampleFaces();
}, SLOW);

/** Step 1 of 人脸识别认证注册 as the register page sends it, a solved captcha included. */
const faceCheck = async (person: Pick<TestPerson, "docNumber" | "name">, challengeId: string, frames: Buffer[]) =>
  api(companion, "/api/register/face", {
    body: {
      docType: "居民身份证",
      docNumber: person.docNumber,
      name: person.name,
      challengeId,
      frames: base64Frames(frames),
      ...(await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER)),
    },
  });
/** Failed checks counted for the 居民身份证 (none when no check got as far as the counter). */
const failuresOf = async (docNumber: string) =>
  (await companion.app.core.sql.value<number>("SELECT SUM(failures) FROM face_failures WHERE doc_number = ?", [
    docNumber,
  ])) ?? 0;

/** A person enrolled with face 4.2, whose frames the tests send. */
async function enrolledPerson(): Promise<TestPerson> {
  const person = newPerson({ name: "李四" });
  await enrollPortrait(companion, person, await faceById("4.2"));
  return person;
}

describe("活体检测: the frames show the challenge's moves, in its order", () => {
  it(
    "the right moves in the asked order pass; the same moves in another order, or with one more, fail and count",
    async () => {
      companion = await startCompanion();
      const person = await enrolledPerson();
      const face = await faceById("4.2");

      const reversed = await faceChallenge(companion);
      const backwards = await movesFrames(face, [...reversed.steps].reverse());
      const refused = await faceCheck(person, reversed.challengeId, backwards);
      expect(refused).toMatchObject({ status: 422, body: { code: "FACE_LIVENESS_FAILED", captchaRequired: true } });

      // Every move asked, in order, and another after them: what a video making every order would show.
      const extra = await faceChallenge(companion);
      const other: FaceStep = extra.steps.includes("tilt-left") ? "tilt-right" : "tilt-left";
      const more = await movesFrames(face, [...extra.steps, other]);
      expect((await faceCheck(person, extra.challengeId, more)).body.code).toBe("FACE_LIVENESS_FAILED");

      // A move left out.
      const short = await faceChallenge(companion);
      const missing = await movesFrames(face, [short.steps[0]!, short.steps[1]!, short.steps[1]!]);
      expect((await faceCheck(person, short.challengeId, missing)).body.code).toBe("FACE_LIVENESS_FAILED");
      expect(await failuresOf(person.docNumber)).toBe(3);

      const right = await answeredChallenge(companion, face);
      expect((await faceCheck(person, right.challengeId, right.frames)).status).toBe(200);
    },
    SLOW,
  );

  it(
    "a recording of an earlier attempt does not answer a new challenge",
    async () => {
      companion = await startCompanion();
      const person = await enrolledPerson();
      const recorded = await answeredChallenge(companion, await faceById("4.2"));
      expect((await faceCheck(person, recorded.challengeId, recorded.frames)).status).toBe(200);
      // A later attempt (the registration is not finished) replays those frames: a challenge asking
      // other moves refuses them.
      let next = await faceChallenge(companion);
      while (next.steps.join() === recorded.steps.join()) next = await faceChallenge(companion);
      const replayed = await faceCheck(person, next.challengeId, recorded.frames);
      expect(replayed.body.code).toBe("FACE_LIVENESS_FAILED");
    },
    SLOW,
  );
});

describe("活体检测: a challenge answers once, within minutes", () => {
  it(
    "a used challenge is refused with FACE_CHALLENGE_INVALID, not counted, whether it passed or failed",
    async () => {
      companion = await startCompanion();
      const person = await enrolledPerson();
      const passed = await answeredChallenge(companion, await faceById("4.2"));
      expect((await faceCheck(person, passed.challengeId, passed.frames)).status).toBe(200);
      const again = await faceCheck(person, passed.challengeId, passed.frames);
      expect(again).toMatchObject({ status: 400, body: { code: "FACE_CHALLENGE_INVALID" } });
      expect(again.body.message).toMatch(/[\u4e00-\u9fff]/);
      expect(again.body.captchaRequired).toBeUndefined();

      const failed = await answeredChallenge(companion, await faceById("1.0"));
      expect((await faceCheck(person, failed.challengeId, failed.frames)).body.code).toBe("FACE_NO_MATCH");
      expect((await faceCheck(person, failed.challengeId, failed.frames)).body.code).toBe("FACE_CHALLENGE_INVALID");
      expect(await failuresOf(person.docNumber)).toBe(1);
    },
    SLOW,
  );

  it(
    "an expired, unknown or missing challenge is refused before any frame is judged, and not counted",
    async () => {
      const clock = manualClock(Date.now());
      companion = await startCompanion({ clock });
      const person = await enrolledPerson();
      const late = await answeredChallenge(companion, await faceById("4.2"));
      const issued = await api(companion, "/api/register/face/challenge", { body: {} });
      expect(issued.body.expiresIn).toBeGreaterThanOrEqual(60);
      expect(issued.body.expiresIn).toBeLessThanOrEqual(300);
      clock.advance(issued.body.expiresIn * 1000);
      expect((await faceCheck(person, late.challengeId, late.frames)).body.code).toBe("FACE_CHALLENGE_INVALID");
      expect((await faceCheck(person, "made-up", late.frames)).body.code).toBe("FACE_CHALLENGE_INVALID");
      const without = await api(companion, "/api/register/face", {
        body: {
          docType: "居民身份证",
          docNumber: person.docNumber,
          name: person.name,
          frames: base64Frames(late.frames),
        },
      });
      expect(without).toMatchObject({
        status: 400,
        body: { code: "VALIDATION_FAILED", fields: { challengeId: expect.any(String) } },
      });
      expect(await failuresOf(person.docNumber)).toBe(0);
      // A fresh one still passes.
      const fresh = await answeredChallenge(companion, await faceById("4.2"));
      expect((await faceCheck(person, fresh.challengeId, fresh.frames)).status).toBe(200);
    },
    SLOW,
  );
});

describe("活体检测: challenges are random, and floods are cut off", () => {
  it("both turns once each and one tilt; every order, side and place comes up", async () => {
    companion = await startCompanion();
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { steps } = await faceChallenge(companion);
      expect([...steps].sort()).toEqual(
        ["turn-left", "turn-right", steps.find((step) => step.startsWith("tilt-"))!].sort(),
      );
      seen.add(steps.join());
    }
    // 2 orders of the turns × 3 places × 2 sides of the tilt.
    expect(seen.size).toBe(12);
  });

  it("limits how fast challenges are issued, and is back a moment later", async () => {
    companion = await startCompanion({ faceChallengeIssueRate: "companion" });
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => api(companion, "/api/register/face/challenge", { body: {} })),
    );
    const refused = answers.filter((answer) => answer.status === 429);
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(10);
    expect(refused.length).toBeGreaterThanOrEqual(15);
    expect(refused[0]?.body).toMatchObject({ code: "RATE_LIMITED", retryAfter: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await api(companion, "/api/register/face/challenge", { body: {} })).status).toBe(200);
  });

  it("keeps at most 500 challenges stored: a flood evicts the oldest, never grows the table", async () => {
    companion = await startCompanion();
    const { sql } = companion.app.core;
    const expiresAt = Date.now() + 60_000;
    await sql.transaction(async () => {
      for (let i = 0; i < 700; i++) {
        await sql.run("INSERT INTO face_challenges (id, steps, expires_at) VALUES (?, ?, ?)", [
          `flood-${i}`,
          '["turn-left","turn-right","tilt-left"]',
          expiresAt + i,
        ]);
      }
    });
    const fresh = await faceChallenge(companion);
    expect(Number(await sql.value("SELECT COUNT(*) FROM face_challenges"))).toBe(500);
    expect(await sql.all("SELECT id FROM face_challenges WHERE id = ?", [fresh.challengeId])).toHaveLength(1);
    expect(await sql.all("SELECT id FROM face_challenges WHERE id = 'flood-0'")).toHaveLength(0);
  });
});
