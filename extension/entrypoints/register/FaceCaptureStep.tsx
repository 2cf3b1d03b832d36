import { useEffect, useRef, useState } from "preact/hooks";
import { FACE_FRAMES_MAX, type FaceStep } from "../../../shared/api/accounts.js";
import { CaptchaField } from "../../components/CaptchaField.js";
import { FormError } from "../../components/FormError.js";
import { cameraProblem, stopTracks } from "../../lib/camera.js";
import { CompanionError, companion, type FaceChallenge } from "../../lib/companion-client.js";
import { describeError } from "../../lib/describe-error.js";
import { type MessageKey, t } from "../../lib/i18n.js";
import { useCaptchaGate } from "../../lib/use-captcha.js";
import { validateAll } from "../../lib/use-field.js";
import type { FaceIdentity } from "./FaceIdentityStep.js";

/** What the page says for each move the companion may ask for; left and right are the person's own. */
const MOVE_GUIDANCE: Record<FaceStep, MessageKey> = {
  "turn-left": "faceGuideLeft",
  "turn-right": "faceGuideRight",
  "tilt-left": "faceGuideTiltLeft",
  "tilt-right": "faceGuideTiltRight",
};
/** How long each piece of guidance is shown; its frames are taken once the person had time to move. */
const GUIDANCE_MS = 2000;
const SETTLE_MS = 1100;
const FRAME_GAP_MS = 400;

type Phase =
  | { kind: "opening" }
  /** Showing `guidance[at]`: looking straight first, then the challenge's moves. */
  | { kind: "guiding"; guidance: readonly MessageKey[]; at: number }
  | { kind: "checking" }
  | { kind: "failed"; message: string; retry: boolean };

/** Why the camera did not open, in words a person can act on. */
function cameraMessage(error: unknown): string {
  const problem = cameraProblem(error);
  if (problem === "denied") return t("faceCameraDenied");
  if (problem === "missing") return t("faceNoCamera");
  return t("faceCameraFailed", error instanceof Error ? error.message : String(error));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * 人脸识别: camera preview with guidance (look straight, then the moves of a challenge the companion
 * picks for this attempt, in its order) while frames are taken; the companion checks the moves and
 * compares the face with the 公安人像库. Each attempt, a retry included, asks for a new challenge.
 * After a failed check the retry needs a captcha, answered before the camera opens again.
 */
export function FaceCaptureStep({
  identity,
  onVerified,
  onBack,
}: {
  identity: FaceIdentity;
  onVerified(ticket: string): void;
  onBack(): void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [phase, setPhase] = useState<Phase>({ kind: "opening" });
  const [attempt, setAttempt] = useState(0);
  const gate = useCaptchaGate();

  useEffect(() => {
    let stream: MediaStream | null = null;
    let cancelled = false;
    const aborted = new AbortController();
    const run = async () => {
      setPhase({ kind: "opening" });
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, facingMode: "user" } });
      } catch (error) {
        if (!cancelled) setPhase({ kind: "failed", message: cameraMessage(error), retry: true });
        return;
      }
      const element = video.current;
      if (cancelled || !element) return;
      element.srcObject = stream;
      await element.play().catch(() => {});
      // A new challenge each attempt: the moves a recording of an earlier one would not show.
      let challenge: FaceChallenge;
      try {
        challenge = await companion.registerFaceChallenge(aborted.signal);
      } catch (error) {
        stopTracks(stream);
        if (!cancelled) setPhase({ kind: "failed", message: describeError(error), retry: true });
        return;
      }
      const guidance: MessageKey[] = ["faceGuideFront", ...challenge.steps.map((step) => MOVE_GUIDANCE[step])];
      const frames = await takeFrames(
        element,
        guidance,
        (at) => !cancelled && setPhase({ kind: "guiding", guidance, at }),
      );
      stopTracks(stream);
      if (cancelled) return;
      setPhase({ kind: "checking" });
      try {
        const { registrationTicket } = await companion.registerFace({
          ...identity,
          challengeId: challenge.challengeId,
          frames,
          ...gate.answer(),
        });
        if (!cancelled) onVerified(registrationTicket);
      } catch (error) {
        if (cancelled) return;
        // A refusal of the captcha itself is shown under its field.
        if (gate.refused(error instanceof CompanionError ? error.body : null)) {
          setPhase({ kind: "failed", message: "", retry: true });
          return;
        }
        // After the day's last failure, trying again cannot help.
        const retry = !(error instanceof CompanionError && error.code === "FACE_DAILY_LIMIT");
        setPhase({ kind: "failed", message: describeError(error), retry });
      }
    };
    void run();
    return () => {
      cancelled = true;
      aborted.abort();
      stopTracks(stream);
    };
  }, [attempt]);

  return (
    <section class="step-body face-capture" data-testid="face-capture">
      <div class="face-frame">
        <video ref={video} class="face-video" muted playsInline aria-label={t("facePreviewLabel")} />
        <div class="face-oval" aria-hidden="true" />
      </div>
      <p class="face-guide" role="status" data-testid="face-status">
        {phase.kind === "guiding" ? t(phase.guidance[phase.at]!) : phase.kind === "checking" ? t("faceChecking") : null}
      </p>
      {phase.kind === "guiding" ? <MoveList moves={phase.guidance.slice(1)} at={phase.at - 1} /> : null}
      {phase.kind === "failed" && phase.message ? <FormError message={phase.message} /> : null}
      {phase.kind === "failed" && phase.retry && gate.needed ? (
        <CaptchaField captcha={gate.captcha} field={gate.field} />
      ) : null}
      <div class="actions">
        <button type="button" class="button button--secondary" onClick={onBack}>
          {t("faceBack")}
        </button>
        {phase.kind === "failed" && phase.retry ? (
          <button
            type="button"
            class="button button--primary"
            data-testid="face-retry"
            onClick={() => {
              if (!gate.needed || validateAll([gate.field])) setAttempt((n) => n + 1);
            }}
          >
            {t("faceRetry")}
          </button>
        ) : null}
      </div>
    </section>
  );
}

/** The challenge's moves in order, so the person knows what comes next; the current one marked. */
function MoveList({ moves, at }: { moves: readonly MessageKey[]; at: number }) {
  return (
    <ol class="face-moves" aria-label={t("faceMovesLabel")} data-testid="face-moves">
      {moves.map((key, i) => (
        <li
          key={key}
          class={i < at ? "face-move face-move--done" : "face-move"}
          aria-current={i === at ? "step" : undefined}
        >
          {t(key)}
        </li>
      ))}
    </ol>
  );
}

/**
 * Shows each piece of guidance in turn and takes its share of the frames (JPEG data URLs) near its end,
 * once the person had time to make the move.
 */
async function takeFrames(
  element: HTMLVideoElement,
  guidance: readonly MessageKey[],
  guide: (at: number) => void,
): Promise<string[]> {
  const canvas = document.createElement("canvas");
  const frames: string[] = [];
  const perGuidance = Math.max(1, Math.floor(FACE_FRAMES_MAX / guidance.length));
  for (const at of guidance.keys()) {
    guide(at);
    await sleep(SETTLE_MS);
    for (let i = 0; i < perGuidance; i++) {
      if (i > 0) await sleep(FRAME_GAP_MS);
      canvas.width = element.videoWidth || 640;
      canvas.height = element.videoHeight || 480;
      canvas.getContext("2d")?.drawImage(element, 0, 0, canvas.width, canvas.height);
      frames.push(canvas.toDataURL("image/jpeg", 0.85));
    }
    await sleep(Math.max(0, GUIDANCE_MS - SETTLE_MS - (perGuidance - 1) * FRAME_GAP_MS));
  }
  return frames;
}
