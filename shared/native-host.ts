/**
 * What the popup and the native messaging host say to each other (runtime.sendNativeMessage): the
 * popup asks the host to start the companion; the host answers once it listens, with its address.
 */
export interface StartRequest {
  type: "start";
}

export type StartAnswer =
  /** `started`: it was down and the host started it (false: it already answered). */
  | { ok: true; url: string; started: boolean }
  /** A Chinese sentence for the popup: what went wrong, where the log is. */
  | { ok: false; message: string };

/** An answer as the popup receives it (anything a host printed): the shape checked, or null. */
export function parseStartAnswer(value: unknown): StartAnswer | null {
  if (typeof value !== "object" || value === null) return null;
  const answer = value as Record<string, unknown>;
  if (answer.ok === true && typeof answer.url === "string" && typeof answer.started === "boolean") {
    return { ok: true, url: answer.url, started: answer.started };
  }
  if (answer.ok === false && typeof answer.message === "string") return { ok: false, message: answer.message };
  return null;
}
