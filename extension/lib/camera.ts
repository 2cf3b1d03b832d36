/** Why getUserMedia failed, by the DOMException names in the spec (and Chromium's older ones). */
export type CameraProblem = "denied" | "missing" | "busy" | "failed";

export function cameraProblem(error: unknown): CameraProblem {
  switch (error instanceof Error || error instanceof DOMException ? error.name : "") {
    case "NotAllowedError":
    case "PermissionDeniedError":
    case "SecurityError":
      return "denied";
    case "NotFoundError":
    case "DevicesNotFoundError":
    case "OverconstrainedError":
      return "missing";
    case "NotReadableError":
    case "TrackStartError":
      return "busy";
    default:
      return "failed";
  }
}

/** Switches the camera off. */
export function stopTracks(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
