import { createServer, type Server } from "node:http";
import { performance } from "node:perf_hooks";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { faceEngine } from "../../companion/portrait/face-engine.js";
import {
  faceDistance,
  movesOf,
  poseOf,
  rollOf,
  SAME_PERSON_THRESHOLD,
  yawOf,
} from "../../companion/portrait/face-match.js";
import { api, KNOWN_CAPTCHA_ANSWER, manualClock, type RunningCompanion, startCompanion } from "../support/companion.js";
import {
  answeredChallenge,
  base64Frames,
  enrollPortrait,
  faceById,
  faceChallenge,
  poseFrame,
  sampleFaces,
  samplePhoto,
  stillPhoto,
  type TestFace,
  variations,
} from "../support/faces.js";
import { finishRegistration, newPerson, solvedCaptcha } from "../support/people.js";

// The real face model: ~0.3–1 s a photo on this machine.
const SLOW = 120_000;

let companion: RunningCompanion;
afterEach(async () => companion?.close());

beforeAll(async () => {
  await sampleFaces();
}, SLOW);

/**
 * 人脸识别认证注册 step 1, as the register page sends it once a failure has asked for the captcha
 * (solved here on every try; a try that needs none leaves it unused): frames answering a challenge,
 * a new one unless given.
 */
const faceCheck = async (person: { docNumber: string; name: string }, frames: Buffer[], challengeId?: string) =>
  api(companion, "/api/register/face", {
    body: {
      docType: "居民身份证",
      docNumber: person.docNumber,
      name: person.name,
      challengeId: challengeId ?? (await faceChallenge(companion)).challengeId,
      frames: base64Frames(frames),
      ...(await solvedCaptcha(companion, KNOWN_CAPTCHA_ANSWER)),
    },
  });

/** An honest attempt: a new challenge, and the face making its moves. */
const honestCheck = async (person: { docNumber: string; name: string }, face: TestFace) => {
  const { challengeId, frames } = await answeredChallenge(companion, face);
  return faceCheck(person, frames, challengeId);
};

const enroll = (person: { docNumber: string; name: string }, face: TestFace) => enrollPortrait(companion, person, face);

describe("the decision threshold", () => {
  it(
    "accepts the same person under light, scale, rotation and recompression; refuses different people",
    async () => {
      const engine = faceEngine();
      /** The one face's descriptor, or null when the model finds none (the page would say FACE_NOT_FOUND). */
      const descriptorOf = async (image: Buffer) => {
        const found = await engine.faces(image);
        expect(found.length).toBeLessThanOrEqual(1);
        return found[0]?.descriptor ?? null;
      };
      try {
        const faces = await sampleFaces();
        expect(faces.map((f) => f.id)).toEqual(["1.0", "1.1", "1.2", "4.0", "4.1", "4.2", "4.3"]);
        const originals = new Map<string, number[]>();
        const same: Array<[string, number]> = [];
        for (const face of faces) {
          const original = await descriptorOf(face.crop);
          if (!original) throw new Error(`no face in crop ${face.id}`);
          originals.set(face.id, original);
          for (const [name, vary] of Object.entries(variations)) {
            const varied = await descriptorOf(await vary(face.crop));
            if (varied) same.push([`${face.id} ${name}`, faceDistance(original, varied)]);
          }
        }
        const different: Array<[string, number]> = [];
        const ids = [...originals.keys()];
        for (const [i, a] of ids.entries()) {
          for (const b of ids.slice(i + 1))
            different.push([`${a}/${b}`, faceDistance(originals.get(a)!, originals.get(b)!)]);
        }
        // Most variations keep a detectable face (a lost face is FACE_NOT_FOUND, not a wrong match).
        expect(same.length).toBeGreaterThan(faces.length * Object.keys(variations).length * 0.8);
        const worstSame = same.reduce((worst, entry) => (entry[1] > worst[1] ? entry : worst));
        const closestDifferent = different.reduce((best, entry) => (entry[1] < best[1] ? entry : best));
        console.log(
          `same person: max ${worstSame[1].toFixed(3)} (${worstSame[0]}); different people: min ${closestDifferent[1].toFixed(3)} (${closestDifferent[0]}); threshold ${SAME_PERSON_THRESHOLD}`,
        );
        expect(worstSame[1]).toBeLessThanOrEqual(SAME_PERSON_THRESHOLD);
        expect(closestDifferent[1]).toBeGreaterThan(SAME_PERSON_THRESHOLD);
      } finally {
        await engine.close();
      }
    },
    SLOW,
  );
});

describe("the moves, as the real model measures them", () => {
  it(
    "reads each move of the test faces as that move, and neither light, ±8° nor a still photo as a move it is not",
    async () => {
      const engine = faceEngine();
      /** The one face's landmarks, or undefined when the model finds none (FACE_NOT_FOUND, not a move). */
      const measure = async (image: Buffer) => {
        const found = await engine.faces(image);
        expect(found.length).toBeLessThanOrEqual(1);
        return found[0]?.landmarks;
      };
      try {
        for (const id of ["1.0", "4.2"]) {
          const face = await faceById(id);
          const seen: string[] = [];
          for (const step of ["turn-left", "turn-right", "tilt-left", "tilt-right"] as const) {
            const landmarks = (await measure(await poseFrame(face, step)))!;
            seen.push(`${step} yaw ${yawOf(landmarks).toFixed(2)} roll ${rollOf(landmarks).toFixed(0)}°`);
            expect(poseOf(landmarks)).toBe(step);
          }
          console.log(`${id}: ${seen.join("; ")}`);
          // The same photo made different is the same move (the crop's turn), never a tilt.
          for (const vary of Object.values(variations)) {
            const landmarks = await measure(await vary(face.crop));
            if (landmarks) expect(poseOf(landmarks)).toBe("turn-right");
          }
          const still = [];
          for (const frame of await stillPhoto(face)) still.push({ landmarks: (await measure(frame))! });
          expect(movesOf(still)).toEqual(["turn-right"]);
        }
      } finally {
        await engine.close();
      }
    },
    SLOW,
  );
});

describe("人脸识别认证注册 with the local 公安人像库", () => {
  it(
    "an enrolled person registers by face, then finishes like the hall-code path and logs in",
    async () => {
      companion = await startCompanion();
      const person = newPerson({ name: "宋晓明" });
      expect(await enroll(person, await faceById("1.0"))).toContain("已录入");
      const checked = await honestCheck(person, await faceById("1.0"));
      expect(checked.status).toBe(200);
      const complete = await finishRegistration(companion, checked.body.registrationTicket, person);
      expect(complete.status).toBe(200);
      const stored = await companion.app.core.people.byDocument("居民身份证", person.docNumber);
      expect(stored).toMatchObject({ name: "宋晓明" });
      expect(await companion.app.core.sql.value("SELECT registered_via FROM people WHERE id = ?", [stored!.id])).toBe(
        "face",
      );
      const login = await api(companion, "/api/login", {
        body: { account: person.loginName, password: person.password },
      });
      expect(login.status).toBe(200);
      // The ticket was used: a second registration with it fails, and the person is registered now.
      expect((await honestCheck(person, await faceById("1.0"))).body.code).toBe("ALREADY_REGISTERED");
      // Only the descriptor was kept, not the photo.
      const row =
        (await companion.app.core.sql.one<Record<string, unknown>>("SELECT * FROM portrait_references")) ?? {};
      expect(Object.keys(row).sort()).toEqual(["descriptor", "doc_number", "enrolled_at", "name"]);
      expect((row.descriptor as Buffer).byteLength).toBe(128 * 4);
    },
    SLOW,
  );

  it(
    "refuses another person's face, several faces, no face, a still photo and a face swap, saying why",
    async () => {
      companion = await startCompanion();
      const person = newPerson({ name: "李四" });
      await enroll(person, await faceById("4.2"));
      expect((await honestCheck(person, await faceById("1.0"))).body.code).toBe("FACE_NO_MATCH");
      // (Another identity for these two, so this person's five failures a day are not all spent here.)
      const someone = newPerson();
      const group = await sharp(samplePhoto(4)).resize(1280).jpeg().toBuffer();
      expect((await faceCheck(someone, [group, group, group])).body.code).toBe("FACE_MULTIPLE");
      const wall = await sharp({ create: { width: 400, height: 400, channels: 3, background: "#b0a890" } })
        .jpeg()
        .toBuffer();
      expect((await faceCheck(someone, [wall, wall, wall])).body.code).toBe("FACE_NOT_FOUND");
      expect((await faceCheck(person, await stillPhoto(await faceById("4.2")))).body.code).toBe("FACE_LIVENESS_FAILED");
      // The right moves, but another face makes the last one.
      const attempt = await answeredChallenge(companion, await faceById("4.2"));
      const swapped = [...attempt.frames.slice(0, 2), await poseFrame(await faceById("1.0"), attempt.steps[2]!)];
      expect((await faceCheck(person, swapped, attempt.challengeId)).body.code).toBe("FACE_LIVENESS_FAILED");
      // Nobody enrolled under this 居民身份证 and name.
      expect((await honestCheck(newPerson(), await faceById("4.2"))).body.code).toBe("FACE_NOT_ENROLLED");
      // And the right face passes.
      expect((await honestCheck(person, await faceById("4.2"))).status).toBe(200);
    },
    SLOW,
  );

  it(
    "refuses bad input with a stable code: not a picture, too few frames, another document type",
    async () => {
      companion = await startCompanion();
      const person = newPerson();
      const notAPicture = Buffer.from("this is not an image, only text standing in for one ".repeat(4));
      const refused = await faceCheck(person, [notAPicture, notAPicture, notAPicture]);
      expect(refused).toMatchObject({ status: 400, body: { code: "FACE_IMAGE_INVALID" } });
      const tooFew = await faceCheck(person, [(await faceById("1.0")).crop]);
      expect(tooFew).toMatchObject({
        status: 400,
        body: { code: "VALIDATION_FAILED", fields: { frames: expect.any(String) } },
      });
      const passport = await api(companion, "/api/register/face", {
        body: {
          docType: "中国护照",
          docNumber: "E12345678",
          name: person.name,
          challengeId: (await faceChallenge(companion)).challengeId,
          frames: base64Frames(await stillPhoto(await faceById("1.0"))),
        },
      });
      expect(passport).toMatchObject({
        status: 400,
        body: { code: "VALIDATION_FAILED", fields: { docType: expect.any(String) } },
      });
      // The companion is still there and the person may try again.
      expect((await api(companion, "/healthz")).status).toBe(200);
    },
    SLOW,
  );

  it(
    "limits failed checks to five per person per day",
    async () => {
      const clock = manualClock(Date.now());
      companion = await startCompanion({ clock });
      const person = newPerson();
      await enroll(person, await faceById("4.2"));
      const still = await stillPhoto(await faceById("4.2"));
      for (let i = 0; i < 5; i++) expect((await faceCheck(person, still)).body.code).toBe("FACE_LIVENESS_FAILED");
      const limited = await honestCheck(person, await faceById("4.2"));
      expect(limited.body).toMatchObject({ code: "FACE_DAILY_LIMIT", retryAfter: expect.any(Number) });
      clock.advance(limited.body.retryAfter * 1000);
      expect((await honestCheck(person, await faceById("4.2"))).status).toBe(200);
    },
    SLOW,
  );

  it(
    "checks photos off the request thread: other requests stay fast meanwhile",
    async () => {
      companion = await startCompanion();
      const person = newPerson();
      await enroll(person, await faceById("1.0"));
      const attempt = await answeredChallenge(companion, await faceById("1.0"));
      // Warm: the first captcha loads its font.
      await api(companion, "/api/captcha");
      const started = performance.now();
      // Two frames of each move, as the page takes them.
      const check = faceCheck(
        person,
        attempt.frames.flatMap((frame) => [frame, frame]),
        attempt.challengeId,
      );
      const timings: number[] = [];
      let done = false;
      void check.then(() => {
        done = true;
      });
      while (!done) {
        const t = performance.now();
        expect((await api(companion, "/api/captcha")).status).toBe(200);
        timings.push(performance.now() - t);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const took = performance.now() - started;
      expect((await check).status).toBe(200);
      expect(took).toBeGreaterThan(1000);
      expect(timings.length).toBeGreaterThan(5);
      expect(Math.max(...timings)).toBeLessThan(500);
    },
    SLOW,
  );
});

describe("人脸识别认证注册 with a 公安人像库 over HTTP", () => {
  let authority: Server;
  let answer: { status: number; body: unknown } = { status: 200, body: { result: "match" } };
  const received: Array<{ authorization?: string; body: { docNumber: string; name: string; photo: string } }> = [];
  beforeAll(async () => {
    authority = createServer((request, response) => {
      let text = "";
      request.on("data", (chunk) => {
        text += chunk;
      });
      request.on("end", () => {
        received.push({ authorization: request.headers.authorization, body: JSON.parse(text) });
        response.writeHead(answer.status, { "content-type": "application/json" });
        response.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => authority.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => authority.close(() => resolve())));

  it(
    "sends the most frontal frame with the identity, and follows the authority's verdict",
    async () => {
      const address = authority.address();
      const port = typeof address === "object" && address ? address.port : 0;
      companion = await startCompanion({ portrait: { url: `http://127.0.0.1:${port}/compare`, token: "s3cret" } });
      const person = newPerson({ name: "王五" });
      const face = await faceById("1.0");

      answer = { status: 200, body: { result: "match" } };
      const attempt = await answeredChallenge(companion, face);
      expect((await faceCheck(person, attempt.frames, attempt.challengeId)).status).toBe(200);
      const sent = received.at(-1)!;
      expect(sent.authorization).toBe("Bearer s3cret");
      expect(sent.body).toMatchObject({ docNumber: person.docNumber, name: "王五" });
      // One of the frames, as sent: the most frontal upright one, a turn, never the tilted head.
      const sentStep = attempt.steps[base64Frames(attempt.frames).indexOf(sent.body.photo)];
      expect(sentStep).toMatch(/^turn-/);

      answer = { status: 200, body: { result: "no-match" } };
      expect((await honestCheck(person, face)).body.code).toBe("FACE_NO_MATCH");
      answer = { status: 200, body: { result: "not-enrolled" } };
      expect((await honestCheck(person, face)).body.code).toBe("FACE_NOT_ENROLLED");
      // An authority that fails is not the person's failure: it is not counted against the day's tries.
      answer = { status: 500, body: { error: "down" } };
      for (let i = 0; i < 6; i++)
        expect((await honestCheck(person, face)).body.code).toBe("PORTRAIT_AUTHORITY_UNAVAILABLE");
      answer = { status: 200, body: { result: "match" } };
      expect((await honestCheck(person, face)).status).toBe(200);
    },
    SLOW,
  );
});
