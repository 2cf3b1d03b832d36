import type { FoundFace } from "./face-engine.js";

/**
 * Largest descriptor distance (Euclidean, 128-d) taken as the same person. Measured on the photos
 * the face model's package ships (see README, 人脸识别认证注册): the same face under light changes,
 * scale, ±8° rotation and JPEG quality 25 stayed ≤ 0.415; different people were ≥ 0.461. The
 * model's usual 0.6 would have accepted different people there, so the threshold sits between.
 */
export const SAME_PERSON_THRESHOLD = 0.44;

/** The turn the liveness check wants: the nose crossing a quarter of the face width, side to side. */
export const MIN_YAW_RANGE = 0.25;
export const MIN_LIVENESS_FRAMES = 3;

export function faceDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return Math.sqrt(sum);
}

/**
 * Where the head points, from the 68 landmarks: the nose tip (30) against the middle of the jaw line
 * (0 and 16), as a share of the face width. 0 is frontal; about ±0.3 is a clear turn.
 */
export function yawOf(landmarks: ReadonlyArray<readonly [number, number]>): number {
  const [left, right, nose] = [landmarks[0], landmarks[16], landmarks[30]];
  if (!left || !right || !nose || right[0] === left[0]) return 0;
  return (nose[0] - (left[0] + right[0]) / 2) / (right[0] - left[0]);
}

export type LivenessOutcome =
  | { ok: true; frontal: FoundFace; frontalIndex: number; yawRange: number }
  | { ok: false; code: "FACE_NOT_FOUND" | "FACE_MULTIPLE" | "FACE_LIVENESS_FAILED"; detail: string };

/**
 * 活体检测: the frames of a head turn, in the order taken. Each shows exactly one face; each is the
 * same face as the frame before (a swap during the turn breaks the chain); and the head really
 * turned. The most frontal frame is the one to compare with the portrait authority.
 */
export function checkLiveness(frames: FoundFace[][]): LivenessOutcome {
  if (frames.length < MIN_LIVENESS_FRAMES) {
    return { ok: false, code: "FACE_LIVENESS_FAILED", detail: `needs ${MIN_LIVENESS_FRAMES} frames` };
  }
  const faces: FoundFace[] = [];
  for (const [index, found] of frames.entries()) {
    if (found.length === 0) return { ok: false, code: "FACE_NOT_FOUND", detail: `frame ${index}` };
    if (found.length > 1) return { ok: false, code: "FACE_MULTIPLE", detail: `frame ${index}` };
    faces.push(found[0]!);
  }
  for (let i = 1; i < faces.length; i++) {
    const distance = faceDistance(faces[i - 1]!.descriptor, faces[i]!.descriptor);
    if (distance > SAME_PERSON_THRESHOLD) {
      return { ok: false, code: "FACE_LIVENESS_FAILED", detail: `frame ${i} is another face (${distance.toFixed(3)})` };
    }
  }
  const yaws = faces.map((face) => yawOf(face.landmarks));
  const yawRange = Math.max(...yaws) - Math.min(...yaws);
  if (yawRange < MIN_YAW_RANGE) {
    return { ok: false, code: "FACE_LIVENESS_FAILED", detail: `head turn ${yawRange.toFixed(3)}` };
  }
  const frontalIndex = yaws.reduce((best, yaw, i) => (Math.abs(yaw) < Math.abs(yaws[best]!) ? i : best), 0);
  return { ok: true, frontal: faces[frontalIndex]!, frontalIndex, yawRange };
}
