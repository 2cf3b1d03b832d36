import { useEffect, useRef, useState } from "preact/hooks";
import { type CameraProblem, cameraProblem, stopTracks } from "../../lib/camera.js";
import { decodeQr, readableContext } from "../../lib/decode-qr.js";
import { type MessageKey, t } from "../../lib/i18n.js";

/** How often a frame is read, and at most how large (px, longest side). */
const FRAME_INTERVAL_MS = 150;
const FRAME_SIDE = 800;

type CameraStatus = { kind: "starting" } | { kind: "live" } | { kind: "problem"; message: MessageKey };

/** Why the camera did not open, in words a person can act on. */
const PROBLEM_MESSAGES: Record<CameraProblem, MessageKey> = {
  denied: "scanCameraDenied",
  missing: "scanCameraMissing",
  busy: "scanCameraBusy",
  failed: "scanCameraFailed",
};

/**
 * The camera's live picture, read with jsQR several times a second; hands on the first QR text it
 * finds (but not `ignore`: a code just refused that is still in front of the lens). The camera is
 * switched off when this goes away. Without a camera, or without the permission, it says so.
 */
export function CameraScanner({ ignore, onText }: { ignore: string | null; onText(text: string): void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [status, setStatus] = useState<CameraStatus>({ kind: "starting" });
  const [attempt, setAttempt] = useState(0);
  const latest = useRef({ ignore, onText });
  latest.current = { ignore, onText };

  useEffect(() => {
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let handedOn: string | null = null;
    const canvas = document.createElement("canvas");
    const look = () => {
      if (stopped) return;
      const frame = video.current;
      if (frame && frame.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && frame.videoWidth > 0) {
        const scale = Math.min(1, FRAME_SIDE / Math.max(frame.videoWidth, frame.videoHeight));
        canvas.width = Math.round(frame.videoWidth * scale);
        canvas.height = Math.round(frame.videoHeight * scale);
        const context = readableContext(canvas);
        context.drawImage(frame, 0, 0, canvas.width, canvas.height);
        const text = decodeQr(context.getImageData(0, 0, canvas.width, canvas.height));
        if (text && text !== latest.current.ignore && text !== handedOn) {
          handedOn = text;
          latest.current.onText(text);
        }
      }
      timer = setTimeout(look, FRAME_INTERVAL_MS);
    };

    setStatus({ kind: "starting" });
    if (!navigator.mediaDevices?.getUserMedia) {
      setStatus({ kind: "problem", message: "scanCameraMissing" });
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false }).then(
      (opened) => {
        if (stopped) return stopTracks(opened);
        stream = opened;
        if (video.current) {
          video.current.srcObject = opened;
          void video.current.play().catch(() => {});
        }
        setStatus({ kind: "live" });
        look();
      },
      (error: unknown) => {
        if (!stopped) setStatus({ kind: "problem", message: PROBLEM_MESSAGES[cameraProblem(error)] });
      },
    );
    return () => {
      stopped = true;
      clearTimeout(timer);
      if (stream) stopTracks(stream);
    };
  }, [attempt]);

  return (
    <section class="scan-camera" data-testid="scan-camera" data-status={status.kind}>
      <div class="scan-viewfinder">
        <video ref={video} class="scan-video" muted playsInline hidden={status.kind !== "live"} />
        {status.kind === "live" ? <div class="scan-frame" aria-hidden="true" /> : null}
        {status.kind === "starting" ? <p class="scan-camera-note muted">{t("scanCameraStarting")}</p> : null}
        {status.kind === "problem" ? (
          <div class="scan-camera-note" role="alert">
            <p data-testid="scan-camera-problem">{t(status.message)}</p>
            <button
              type="button"
              class="button button--secondary button--small"
              data-testid="scan-camera-retry"
              onClick={() => setAttempt((n) => n + 1)}
            >
              {t("retry")}
            </button>
          </div>
        ) : null}
      </div>
      {status.kind === "live" ? <p class="scan-camera-hint muted">{t("scanCameraHint")}</p> : null}
    </section>
  );
}
