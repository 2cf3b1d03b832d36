import sharp from "sharp";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { api, KNOWN_CAPTCHA_ANSWER, type RunningCompanion, startCompanion } from "../support/companion.js";
import {
  answeredChallenge,
  base64Frames,
  enrollPortrait,
  type FaceChallenge,
  faceById,
  faceChallenge,
  sampleFaces,
} from "../support/faces.js";
import {
  finishRegistration,
  newPerson,
  registerPerson,
  solvedCaptcha,
  type TestPerson,
  verifyRegistrationCode,
} from "../support/people.js";

/**
 * A hostile local process against registration step 1 (SPEC §7): it may not learn whether a
 * 证件号码 is registered, nor spend another person's hall code or face tries without solving a
 * captcha per try.
 */

// The real face model: ~0.3–1 s a photo on this machine.
const SLOW = 120_000;

let companion: RunningCompanion;
afterEach(async () => companion?.close());

const solved = () => solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER);
/** What an answer tells the caller: everything but the captcha picture's own id. */
const seen = (answer: { status: number; body: unknown }) => ({ status: answer.status, body: answer.body });

describe("大厅注册码: the answers do not tell whose 证件号码 it is", () => {
  it("a wrong code answers alike for a registered person, one with a pending code and a number nobody has", async () => {
    companion = await startCompanion();
    const registered = await registerPerson(companion);
    const pending = newPerson();
    await companion.app.core.registrationCodes.issue(pending);
    const nobody = newPerson();
    const answers: Record<string, unknown[]> = { registered: [], pending: [], nobody: [] };
    for (let i = 0; i < 6; i++) {
      for (const [who, person] of [
        ["registered", registered],
        ["pending", pending],
        ["nobody", nobody],
      ] as const) {
        const captcha = i > 0 ? await solved() : {};
        answers[who]!.push(seen(await verifyRegistrationCode(companion, person, "ZZZZZZ", captcha)));
      }
    }
    expect(answers.registered).toEqual(answers.nobody);
    expect(answers.pending).toEqual(answers.nobody);
    // And what they are: a captcha asked for after the first, the fifth stops the count.
    expect(answers.nobody).toEqual([
      ...Array.from({ length: 4 }, () => ({
        status: 400,
        body: { code: "REGISTRATION_CODE_INVALID", message: expect.any(String), captchaRequired: true },
      })),
      ...Array.from({ length: 2 }, () => ({
        status: 429,
        body: { code: "REGISTRATION_CODE_LOCKED", message: expect.any(String) },
      })),
    ]);
  });

  it("ALREADY_REGISTERED is told only with the right code, to the person the hall gave it to", async () => {
    companion = await startCompanion();
    const person = await registerPerson(companion);
    // (The hall CLI refuses a code for a registered person; the service below it does not.)
    const { code } = await companion.app.core.registrationCodes.issue(person);
    const wrong = await verifyRegistrationCode(companion, person, "ZZZZZZ");
    expect(wrong.body.code).toBe("REGISTRATION_CODE_INVALID");
    const right = await verifyRegistrationCode(companion, person, code, await solved());
    expect(right).toMatchObject({ status: 409, body: { code: "ALREADY_REGISTERED" } });
  });
});

describe("大厅注册码: nobody spends another person's code without captchas", () => {
  it("after one wrong code, tries without a right captcha are refused uncounted; the person still registers", async () => {
    companion = await startCompanion();
    const victim = newPerson();
    const { code } = await companion.app.core.registrationCodes.issue(victim);
    expect((await verifyRegistrationCode(companion, victim, "ZZZZZZ")).body.code).toBe("REGISTRATION_CODE_INVALID");
    for (let i = 0; i < 10; i++) {
      const bare = await verifyRegistrationCode(companion, victim, "ZZZZZZ");
      expect(bare).toMatchObject({ status: 400, body: { code: "CAPTCHA_REQUIRED", captchaRequired: true } });
      const guessed = await verifyRegistrationCode(companion, victim, "ZZZZZZ", {
        ...(await solved()),
        captchaAnswer: "nope",
      });
      expect(guessed).toMatchObject({ status: 400, body: { code: "CAPTCHA_INVALID", captchaRequired: true } });
    }
    // A captcha answers once: the same picture again is refused.
    const used = await solved();
    expect((await verifyRegistrationCode(companion, victim, "ZZZZZZ", used)).body.code).toBe(
      "REGISTRATION_CODE_INVALID",
    );
    expect((await verifyRegistrationCode(companion, victim, "ZZZZZZ", used)).body.code).toBe("CAPTCHA_INVALID");
    // Two failures counted in all: the victim's code still works, with a captcha.
    const verified = await verifyRegistrationCode(companion, victim, code, await solved());
    expect(verified.status).toBe(200);
    expect((await finishRegistration(companion, verified.body.registrationTicket, victim)).status).toBe(200);
  });
});

describe("人脸识别认证注册: answers and tries", () => {
  beforeAll(async () => {
    await sampleFaces();
  }, SLOW);

  type Attempt = Pick<FaceChallenge, "challengeId"> & { frames: Buffer[] };
  const faceCheck = (person: Pick<TestPerson, "docNumber" | "name">, attempt: Attempt, captcha: object = {}) =>
    api(companion, "/api/register/face", {
      body: {
        docType: "居民身份证",
        docNumber: person.docNumber,
        name: person.name,
        challengeId: attempt.challengeId,
        frames: base64Frames(attempt.frames),
        ...captcha,
      },
    });
  /** Frames that answer no challenge's moves, sent with a new challenge. */
  const withChallenge = async (frames: Buffer[]): Promise<Attempt> => ({
    challengeId: (await faceChallenge(companion)).challengeId,
    frames,
  });
  const honest = async (id: string) => answeredChallenge(companion, await faceById(id));
  const emptyWall = async () => {
    const wall = await sharp({ create: { width: 400, height: 400, channels: 3, background: "#b0a890" } })
      .jpeg()
      .toBuffer();
    return [wall, wall, wall];
  };
  const failuresOf = (docNumber: string) =>
    companion.app.core.sql.value<number>("SELECT SUM(failures) FROM face_failures WHERE doc_number = ?", [docNumber]);

  it(
    "frames with no face are refused with FACE_NOT_FOUND and spend nothing; the person's day is intact",
    async () => {
      companion = await startCompanion();
      const victim = newPerson({ name: "李四" });
      await enrollPortrait(companion, victim, await faceById("4.2"));
      const wall = await emptyWall();
      const junk = Buffer.from("this is not an image, only text standing in for one ".repeat(4));
      for (let i = 0; i < 6; i++) {
        const answer = await faceCheck(victim, await withChallenge(wall));
        expect(answer).toMatchObject({ status: 422, body: { code: "FACE_NOT_FOUND", message: expect.any(String) } });
        expect(answer.body.captchaRequired).toBeUndefined();
        expect((await faceCheck(victim, await withChallenge([junk, junk, junk]))).body.code).toBe("FACE_IMAGE_INVALID");
      }
      expect(await failuresOf(victim.docNumber)).toBe(0);
      expect((await faceCheck(victim, await honest("4.2"))).status).toBe(200);
    },
    SLOW,
  );

  it(
    "after one failed check, tries without a right captcha are refused uncounted; the person still passes",
    async () => {
      companion = await startCompanion();
      const victim = newPerson({ name: "李四" });
      await enrollPortrait(companion, victim, await faceById("4.2"));
      const failed = await faceCheck(victim, await honest("1.0"));
      expect(failed.body).toMatchObject({ code: "FACE_NO_MATCH", captchaRequired: true });
      for (let i = 0; i < 6; i++) {
        expect((await faceCheck(victim, await honest("1.0"))).body).toMatchObject({
          code: "CAPTCHA_REQUIRED",
          captchaRequired: true,
        });
        const guessed = await faceCheck(victim, await honest("1.0"), { ...(await solved()), captchaAnswer: "nope" });
        expect(guessed.body.code).toBe("CAPTCHA_INVALID");
      }
      expect(await failuresOf(victim.docNumber)).toBe(1);
      expect((await faceCheck(victim, await honest("4.2"), await solved())).status).toBe(200);
    },
    SLOW,
  );

  it(
    "ALREADY_REGISTERED is told only past a matching face; another face answers as for anyone",
    async () => {
      companion = await startCompanion();
      const registered = await registerPerson(companion, newPerson({ name: "李四" }));
      await enrollPortrait(companion, registered, await faceById("4.2"));
      const unregistered = newPerson({ name: "王五" });
      await enrollPortrait(companion, unregistered, await faceById("4.1"));
      const strangerTo = async (person: TestPerson) => seen(await faceCheck(person, await honest("1.0")));
      expect(await strangerTo(registered)).toEqual(await strangerTo(unregistered));
      const own = await faceCheck(registered, await honest("4.2"), await solved());
      expect(own).toMatchObject({ status: 409, body: { code: "ALREADY_REGISTERED" } });
    },
    SLOW,
  );
});
