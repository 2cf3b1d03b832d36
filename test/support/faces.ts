import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { faceEngine } from "../../companion/portrait/face-engine.js";
import type { FaceStep } from "../../shared/api/accounts.js";
import { api, type RunningCompanion, runCli, storeOf } from "./companion.js";

/**
 * Test faces from the photos the face model's package ships (group photos of different people):
 * each face cropped with a margin stands for one person; variations of a crop (light, scale, small
 * rotation, recompression, mirror) stand for the same person, and mirror images and larger rotations
 * for the moves a challenge asks for.
 */
const samples = join(dirname(createRequire(import.meta.url).resolve("@vladmandic/face-api/package.json")), "demo");
export const samplePhoto = (n: number) => join(samples, `sample${n}.jpg`);

export interface TestFace {
  /** "<sample>.<index>", e.g. "4.0". */
  id: string;
  /** JPEG of this one face with a margin around it. */
  crop: Buffer;
}

let cached: Promise<TestFace[]> | null = null;

/** The faces of sample1.jpg (3 people) and sample4.jpg (4 people), found by the real model. */
export function sampleFaces(): Promise<TestFace[]> {
  cached ??= (async () => {
    const engine = faceEngine();
    const faces: TestFace[] = [];
    try {
      for (const n of [1, 4]) {
        const photo = sharp(samplePhoto(n));
        const { width = 0, height = 0 } = await photo.metadata();
        for (const [index, face] of (await engine.faces(await photo.toBuffer())).entries()) {
          const margin = 0.6;
          const left = Math.max(0, Math.round((face.box.x - face.box.width * margin) * width));
          const top = Math.max(0, Math.round((face.box.y - face.box.height * margin) * height));
          const crop = await sharp(samplePhoto(n))
            .extract({
              left,
              top,
              width: Math.min(width - left, Math.round(face.box.width * (1 + 2 * margin) * width)),
              height: Math.min(height - top, Math.round(face.box.height * (1 + 2 * margin) * height)),
            })
            .jpeg({ quality: 92 })
            .toBuffer();
          faces.push({ id: `${n}.${index}`, crop });
        }
      }
    } finally {
      await engine.close();
    }
    return faces;
  })();
  return cached;
}

export async function faceById(id: string): Promise<TestFace> {
  const face = (await sampleFaces()).find((f) => f.id === id);
  if (!face) throw new Error(`no test face ${id}`);
  return face;
}

/** The same face made different: what a second photo of the same person may look like. */
export const variations: Record<string, (image: Buffer) => Promise<Buffer>> = {
  brighter: (image) => sharp(image).modulate({ brightness: 1.4 }).jpeg().toBuffer(),
  darker: (image) => sharp(image).modulate({ brightness: 0.75 }).jpeg().toBuffer(),
  smaller: async (image) =>
    sharp(image)
      .resize(Math.round(((await sharp(image).metadata()).width ?? 400) * 0.5))
      .jpeg()
      .toBuffer(),
  rotatedLeft: (image) => sharp(image).rotate(-8, { background: "#808080" }).jpeg().toBuffer(),
  rotatedRight: (image) => sharp(image).rotate(8, { background: "#808080" }).jpeg().toBuffer(),
  recompressed: (image) => sharp(image).jpeg({ quality: 25 }).toBuffer(),
};

export const mirrored = (image: Buffer) => sharp(image).flop().jpeg().toBuffer();
const rotated = (image: Buffer, degrees: number) =>
  sharp(image).rotate(degrees, { background: "#808080" }).jpeg().toBuffer();

/**
 * One move of a 活体检测 challenge, made from a still crop. The crops of 1.0 and 4.2 (the faces these
 * tests move) show the head turned to the person's own right (the nose towards the picture's left)
 * and nearly upright, so: the crop is 向右转头, its mirror image 向左转头, and a tilt is the picture
 * turned 25° (clockwise: the head towards the person's left shoulder), from the one of the two whose
 * small lean already goes that way (4.2 is lost to the model from about 28°). A still photo cannot make these moves; see the liveness check.
 */
export async function poseFrame(face: TestFace, step: FaceStep): Promise<Buffer> {
  switch (step) {
    case "turn-right":
      return face.crop;
    case "turn-left":
      return mirrored(face.crop);
    case "tilt-left":
      return rotated(face.crop, 25);
    case "tilt-right":
      return rotated(await mirrored(face.crop), -25);
  }
}

/** The frames of the moves, one each, in the order given. */
export const movesFrames = async (face: TestFace, steps: readonly FaceStep[]): Promise<Buffer[]> =>
  Promise.all(steps.map((step) => poseFrame(face, step)));

export type FaceChallenge = { challengeId: string; steps: FaceStep[] };

/** A new 活体检测 challenge, as the register page asks for one at each attempt. */
export async function faceChallenge(companion: { url: string }): Promise<FaceChallenge> {
  const { status, body } = await api(companion, "/api/register/face/challenge", { body: {} });
  if (status !== 200) throw new Error(`no face challenge: ${JSON.stringify(body)}`);
  return { challengeId: body.challengeId, steps: body.steps };
}

/** A new challenge and the face's frames making its moves in order: an honest attempt. */
export async function answeredChallenge(
  companion: { url: string },
  face: TestFace,
): Promise<FaceChallenge & { frames: Buffer[] }> {
  const challenge = await faceChallenge(companion);
  return { ...challenge, frames: await movesFrames(face, challenge.steps) };
}

/** Frames of a still photo held to the camera: no turn. */
export async function stillPhoto(face: TestFace): Promise<Buffer[]> {
  return [face.crop, await variations.recompressed!(face.crop), await variations.brighter!(face.crop)];
}

/** Writes a photo to a temporary file (for the hall CLI's --photo). */
export function photoFile(image: Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), "taxauth-face-")), "photo.jpg");
  writeFileSync(file, image);
  return file;
}

export const base64Frames = (frames: Buffer[]) => frames.map((frame) => frame.toString("base64"));

/** The hall officer enrols a reference photo with the CLI (a real process on the same data dir). */
export const enrollPortrait = (
  companion: Pick<RunningCompanion, "dataDir" | "databaseUrl">,
  person: { docNumber: string; name: string },
  face: TestFace,
) =>
  runCli(
    [
      "hall",
      "portrait",
      "enroll",
      "--doc-number",
      person.docNumber,
      "--name",
      person.name,
      "--photo",
      photoFile(face.crop),
    ],
    storeOf(companion),
  );
