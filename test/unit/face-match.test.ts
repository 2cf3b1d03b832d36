import { describe, expect, it } from "vitest";
import type { FoundFace } from "../../companion/portrait/face-engine.js";
import { checkLiveness, movesOf, poseOf, rollOf, yawOf } from "../../companion/portrait/face-match.js";
import type { FaceStep } from "../../shared/api/accounts.js";

/**
 * The pose measures on drawn landmarks (the 68-point layout): a face 120 px wide, looking straight at
 * the camera, in a camera's picture (not mirrored). The real model's readings of the sample faces are
 * measured in test/integration/face-registration.test.ts.
 */
type Point = [number, number];
const CENTRE: Point = [100, 100];

function frontal(): Point[] {
  const points: Point[] = Array.from({ length: 68 }, () => [...CENTRE] as Point);
  for (let i = 0; i <= 16; i++) points[i] = [40 + (120 * i) / 16, 90 + 40 * Math.sin((Math.PI * i) / 16)];
  const eye = (x: number): Point[] =>
    [-12, -6, 6, 12, 6, -6].map((dx, i) => [x + dx, 80 + (i === 0 || i === 3 ? 0 : i < 3 ? -3 : 3)] as Point);
  points.splice(36, 6, ...eye(70));
  points.splice(42, 6, ...eye(130));
  points[30] = [100, 112];
  return points;
}

/** The nose moved along the jaw line by `share` of the face width (positive: the picture's right). */
function turned(points: Point[], share: number): Point[] {
  const moved = points.map((p) => [...p] as Point);
  moved[30] = [moved[30]![0] + share * 120, moved[30]![1]];
  return moved;
}

/** Turned clockwise on the picture by `degrees` about the face's centre. */
function tilted(points: Point[], degrees: number): Point[] {
  const [cos, sin] = [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)];
  return points.map(([x, y]) => {
    const [dx, dy] = [x - CENTRE[0], y - CENTRE[1]];
    return [CENTRE[0] + cos * dx - sin * dy, CENTRE[1] + sin * dx + cos * dy];
  });
}

const POSES: Record<FaceStep | "front", Point[]> = {
  front: frontal(),
  "turn-left": turned(frontal(), 0.25),
  "turn-right": turned(frontal(), -0.25),
  "tilt-left": tilted(frontal(), 28),
  "tilt-right": tilted(frontal(), -28),
};

const face = (landmarks: Point[], descriptor = Array(128).fill(0.1)): FoundFace => ({
  score: 0.99,
  box: { x: 0.2, y: 0.2, width: 0.6, height: 0.6 },
  descriptor,
  landmarks,
});
const frames = (...poses: Array<FaceStep | "front">) => poses.map((pose) => [face(POSES[pose])]);

describe("pose measures", () => {
  it("reads a turn from the nose against the jaw line, towards the person's own side", () => {
    expect(yawOf(frontal())).toBeCloseTo(0, 5);
    expect(yawOf(turned(frontal(), 0.25))).toBeCloseTo(0.25, 5);
    // The picture's right is the left of the person facing the camera.
    expect(poseOf(turned(frontal(), 0.2))).toBe("turn-left");
    expect(poseOf(turned(frontal(), -0.2))).toBe("turn-right");
    // A glance aside is no turn.
    expect(poseOf(turned(frontal(), 0.1))).toBeNull();
    expect(poseOf(frontal())).toBeNull();
  });

  it("reads a tilt from the eye line, and a tilt does not change the turn it reads", () => {
    expect(rollOf(frontal())).toBeCloseTo(0, 5);
    expect(rollOf(tilted(frontal(), 25))).toBeCloseTo(25, 5);
    expect(poseOf(tilted(frontal(), 25))).toBe("tilt-left");
    expect(poseOf(tilted(frontal(), -25))).toBe("tilt-right");
    // The lean of someone looking at a screen (and the ±8° photo variation) is no tilt.
    expect(poseOf(tilted(frontal(), 12))).toBeNull();
    expect(poseOf(tilted(turned(frontal(), -0.25), -12))).toBe("turn-right");
    expect(yawOf(tilted(turned(frontal(), 0.25), 30))).toBeCloseTo(0.25, 5);
    // Tilted while still a little turned: the tilt is the move.
    expect(poseOf(tilted(turned(frontal(), 0.25), 25))).toBe("tilt-left");
  });

  it("lists the moves in order, without the frames in between or repeats", () => {
    const shown = ["front", "turn-left", "turn-left", "front", "tilt-right", "turn-right", "turn-right"] as const;
    expect(movesOf(shown.map((pose) => ({ landmarks: POSES[pose] })))).toEqual([
      "turn-left",
      "tilt-right",
      "turn-right",
    ]);
  });
});

describe("checkLiveness against a challenge", () => {
  const asked: FaceStep[] = ["turn-left", "tilt-right", "turn-right"];

  it("passes the asked moves in the asked order, and picks the most frontal upright frame", () => {
    const outcome = checkLiveness(
      frames("front", "turn-left", "turn-left", "tilt-right", "front", "turn-right", "turn-right"),
      asked,
    );
    expect(outcome).toMatchObject({ ok: true, frontalIndex: 0 });
    // A tilted head looking straight is not the one sent for comparison: the least turned upright is.
    const withoutFront = checkLiveness(
      [[face(tilted(frontal(), 28))], [face(turned(frontal(), 0.3))], [face(turned(frontal(), -0.2))]],
      ["tilt-left", "turn-left", "turn-right"],
    );
    expect(withoutFront).toMatchObject({ ok: true, frontalIndex: 2 });
  });

  it("fails the same moves in another order, one move more or one less", () => {
    const refused = { ok: false, code: "FACE_LIVENESS_FAILED" };
    expect(checkLiveness(frames("front", "turn-right", "tilt-right", "turn-left"), asked)).toMatchObject(refused);
    expect(checkLiveness(frames("turn-left", "tilt-right", "turn-right", "tilt-left"), asked)).toMatchObject(refused);
    expect(
      checkLiveness(frames("turn-left", "turn-right", "tilt-right", "turn-left", "tilt-right", "turn-right"), asked),
    ).toMatchObject(refused);
    expect(checkLiveness(frames("front", "turn-left", "turn-right"), asked)).toMatchObject(refused);
    // A still face makes no move at all.
    expect(checkLiveness(frames("front", "front", "front"), asked)).toMatchObject(refused);
  });

  it("fails another face during the moves, too few frames, and frames with no face or several", () => {
    const swapped = frames("turn-left", "tilt-right", "turn-right");
    swapped[2] = [face(POSES["turn-right"], Array(128).fill(0.3))];
    expect(checkLiveness(swapped, asked)).toMatchObject({ ok: false, code: "FACE_LIVENESS_FAILED" });
    expect(checkLiveness(frames("turn-left", "turn-right"), ["turn-left", "turn-right"])).toMatchObject({
      ok: false,
      code: "FACE_LIVENESS_FAILED",
    });
    const empty = frames("turn-left", "tilt-right", "turn-right");
    empty[1] = [];
    expect(checkLiveness(empty, asked)).toMatchObject({ ok: false, code: "FACE_NOT_FOUND" });
    const crowded = frames("turn-left", "tilt-right", "turn-right");
    crowded[1] = [face(POSES["tilt-right"]), face(POSES.front)];
    expect(checkLiveness(crowded, asked)).toMatchObject({ ok: false, code: "FACE_MULTIPLE" });
  });
});
