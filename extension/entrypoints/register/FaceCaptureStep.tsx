import { useEffect, useRef, useState } from "preact/hooks";
import { FACE_FRAMES_MAX } from "../../../shared/api/accounts.js";
import { CaptchaField } from "../../components/CaptchaField.js";
import { FormError } from "../../components/FormError.js";
import { cameraProblem, stopTracks } from "../../lib/camera.js";
import { CompanionError, companion } from "../../lib/companion-client.js";
import { describeError } from "../../lib/describe-error.js";
import { type MessageKey, t } from "../../lib/i18n.js";
import { useCaptchaGate } from "../../lib/use-captcha.js";
import { validateAll } from "../../lib/use-field.js";
import type { FaceIdentity } from "./FaceIdentityStep.js";

/** The guidance in turn, and how long each is shown; frames are taken all along. */
const GUIDANCE: ReadonlyArray<{ key: MessageKey; ms: number }> = [
  { key: "faceGuideFront", ms: 1200 },
  { key: "faceGuideLeft", ms: 1400 },
  { key: "faceGuideRight", ms: 1400 },
];
const TOTAL_MS = GUIDANCE.reduce((sum, step) => sum + step.ms, 0);
const FRAME_EVERY_MS = TOTAL_MS / FACE_FRAMES_MAX;

type Phase =
  | { kind: "opening" }
  | { kind: "guiding"; key: MessageKey }
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
 * 人脸识别: camera preview with guidance (look straight, turn left, turn right) while frames are
 * taken; the companion checks the turn and compares the face with the 公安人像库. After a failed
 * check the retry needs a captcha, answered before the camera opens again.
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
      const frames = await takeFrames(element, (key) => !cancelled && setPhase({ kind: "guiding", key }));
      stopTracks(stream);
      if (cancelled) return;
      setPhase({ kind: "checking" });
      try {
        const { registrationTicket } = await companion.registerFace({ ...identity, frames, ...gate.answer() });
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
        {phase.kind === "guiding" ? t(phase.key) : phase.kind === "checking" ? t("faceChecking") : null}
      </p>
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

/** Frames (JPEG data URLs) taken evenly while each piece of guidance is shown. */
async function takeFrames(element: HTMLVideoElement, guide: (key: MessageKey) => void): Promise<string[]> {
  const canvas = document.createElement("canvas");
  const frames: string[] = [];
  const started = performance.now();
  let shownUntil = 0;
  for (const { key, ms } of GUIDANCE) {
    guide(key);
    shownUntil += ms;
    while (performance.now() - started < shownUntil && frames.length < FACE_FRAMES_MAX) {
      await sleep(FRAME_EVERY_MS);
      canvas.width = element.videoWidth || 640;
      canvas.height = element.videoHeight || 480;
      canvas.getContext("2d")?.drawImage(element, 0, 0, canvas.width, canvas.height);
      frames.push(canvas.toDataURL("image/jpeg", 0.85));
    }
  }
  return frames;
}
