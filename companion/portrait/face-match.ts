import type { FaceStep } from "../../shared/api/accounts.js";
import type { FoundFace } from "./face-engine.js";

/**
 * Largest descriptor distance (Euclidean, 128-d) taken as the same person. Measured on the photos
 * the face model's package ships (see README, 人脸识别认证注册): the same face under light changes,
 * scale, ±8° rotation and JPEG quality 25 stayed ≤ 0.33; different people were ≥ 0.53 (tilted faces
 * levelled first, see face-worker.ts). The model's usual 0.6 would accept different people, so the
 * threshold sits between, nearer the same-person side.
 */
export const SAME_PERSON_THRESHOLD = 0.44;

/** A turn: the nose tip this share of the face width off the middle of the jaw line, to the side asked. */
export const TURN_MIN = 0.15;
/**
 * A tilt: the eye line this many degrees off the horizontal, to the side asked. Above the lean of a
 * person looking at a screen plus the ±8° the threshold above is measured with (a sample face leaning
 * 9° and turned 8° more read 17°), below the 25° or more of a head tilted towards a shoulder.
 */
export const TILT_MIN_DEGREES = 20;
export const MIN_LIVENESS_FRAMES = 3;

type Landmarks = ReadonlyArray<readonly [number, number]>;

export function faceDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return Math.sqrt(sum);
}

function centre(landmarks: Landmarks, from: number, to: number): [number, number] {
  const points = landmarks.slice(from, to + 1);
  return [
    points.reduce((sum, [x]) => sum + x, 0) / points.length,
    points.reduce((sum, [, y]) => sum + y, 0) / points.length,
  ];
}

/**
 * Where the head points, from the 68 landmarks: the nose tip (30) against the middle of the jaw line
 * (0 to 16), along that line, as a share of the face width; so a tilt does not change it. 0 is frontal;
 * about ±0.3 is a clear turn. Positive is towards the picture's right, which in a camera's (unmirrored)
 * picture is the person's own left.
 */
export function yawOf(landmarks: Landmarks): number {
  const [left, right, nose] = [landmarks[0], landmarks[16], landmarks[30]];
  if (!left || !right || !nose) return 0;
  const [axisX, axisY] = [right[0] - left[0], right[1] - left[1]];
  const length2 = axisX ** 2 + axisY ** 2;
  if (length2 === 0) return 0;
  const [middleX, middleY] = [(left[0] + right[0]) / 2, (left[1] + right[1]) / 2];
  return ((nose[0] - middleX) * axisX + (nose[1] - middleY) * axisY) / length2;
}

/**
 * How far the head leans, in degrees: the line from one eye's centre (36–41) to the other's (42–47)
 * against the horizontal. Positive is clockwise on the picture, the picture's right eye lower: in a
 * camera's picture, the head tilted towards the person's own left shoulder.
 */
export function rollOf(landmarks: Landmarks): number {
  if (landmarks.length < 48) return 0;
  const [one, other] = [centre(landmarks, 36, 41), centre(landmarks, 42, 47)];
  return (Math.atan2(other[1] - one[1], other[0] - one[0]) * 180) / Math.PI;
}

/** The move a face shows, if any: a tilt first (a tilted head may still be a little turned), then a turn. */
export function poseOf(landmarks: Landmarks): FaceStep | null {
  const roll = rollOf(landmarks);
  if (roll >= TILT_MIN_DEGREES) return "tilt-left";
  if (roll <= -TILT_MIN_DEGREES) return "tilt-right";
  const yaw = yawOf(landmarks);
  if (yaw >= TURN_MIN) return "turn-left";
  if (yaw <= -TURN_MIN) return "turn-right";
  return null;
}

/** The moves a sequence of frames shows, in order: frames in between (no move) and repeats left out. */
export function movesOf(faces: ReadonlyArray<Pick<FoundFace, "landmarks">>): FaceStep[] {
  const moves: FaceStep[] = [];
  for (const face of faces) {
    const pose = poseOf(face.landmarks);
    if (pose && pose !== moves.at(-1)) moves.push(pose);
  }
  return moves;
}

export type LivenessOutcome =
  | { ok: true; frontal: FoundFace; frontalIndex: number }
  | { ok: false; code: "FACE_NOT_FOUND" | "FACE_MULTIPLE" | "FACE_LIVENESS_FAILED"; detail: string };

/**
 * 活体检测: the frames of one attempt, in the order taken, against the moves its challenge asked for.
 * Each shows exactly one face; each is the same face as the frame before (a swap during the moves
 * breaks the chain); and the moves shown are exactly those asked, in that order: a recording of other
 * moves, or of more moves than asked (every order in one video), fails. The most frontal upright
 * frame is the one to compare with the portrait authority.
 */
export function checkLiveness(frames: FoundFace[][], steps: readonly FaceStep[]): LivenessOutcome {
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
  const moves = movesOf(faces);
  if (moves.join() !== steps.join()) {
    return {
      ok: false,
      code: "FACE_LIVENESS_FAILED",
      detail: `moves ${moves.join() || "none"}, asked ${steps.join()}`,
    };
  }
  // Upright frames first (the authority compares a photo), then the least turned.
  const offFront = (face: FoundFace) =>
    (Math.abs(rollOf(face.landmarks)) >= TILT_MIN_DEGREES ? 1 : 0) + Math.abs(yawOf(face.landmarks));
  const frontalIndex = faces.reduce((best, face, i) => (offFront(face) < offFront(faces[best]!) ? i : best), 0);
  return { ok: true, frontal: faces[frontalIndex]!, frontalIndex };
}
