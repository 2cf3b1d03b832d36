import { browser } from "wxt/browser";
import { NATIVE_HOST_NAME } from "../../shared/extension-identity.js";
import { parseStartAnswer } from "../../shared/native-host.js";
import { getCompanionUrl, setCompanionUrl } from "./settings.js";

export type HostStart =
  /** It answers now (started, or it already ran), at the address the popup now uses. */
  | { kind: "started" }
  /** No host is registered for this browser (`taxauth service install` has not run). */
  | { kind: "noHost" }
  | { kind: "failed"; message: string };

/**
 * Chromium's errors when no manifest names the host, or its allowed_origins leave us out (both
 * mean: install it, again). Anything else — the host crashed, said something else — is a failure.
 */
const NOT_REGISTERED = /not found|forbidden/i;

/**
 * Asks the native messaging host (registered by `taxauth service install`) to start the companion
 * and waits for its answer; the address it reports becomes the popup's, should they differ (the
 * address change makes the page ask the companion at once). The browser cannot cancel a native
 * message: after `signal` aborts, the answer is dropped.
 */
export async function startThroughHost(signal: AbortSignal): Promise<HostStart | null> {
  // Without the nativeMessaging permission (another build of the extension) there is no API at all.
  if (typeof browser.runtime.sendNativeMessage !== "function") return { kind: "noHost" };
  let reply: unknown;
  try {
    reply = await browser.runtime.sendNativeMessage(NATIVE_HOST_NAME, { type: "start" });
  } catch (error) {
    if (signal.aborted) return null;
    const message = error instanceof Error ? error.message : String(error);
    return NOT_REGISTERED.test(message) ? { kind: "noHost" } : { kind: "failed", message };
  }
  if (signal.aborted) return null;
  const answer = parseStartAnswer(reply);
  if (!answer) return { kind: "failed", message: JSON.stringify(reply) };
  if (!answer.ok) return { kind: "failed", message: answer.message };
  if ((await getCompanionUrl()) !== answer.url) await setCompanionUrl(answer.url);
  return { kind: "started" };
}
