import { browser } from "wxt/browser";
import { DEFAULT_COMPANION_URL } from "../../shared/extension-identity.js";
import type { MessageKey } from "./i18n.js";

/** Where the companion listens; chosen on the options page, kept in storage.local. */
const COMPANION_URL_KEY = "companionUrl";

export async function getCompanionUrl(): Promise<string> {
  const stored = await browser.storage.local.get(COMPANION_URL_KEY);
  const value = stored[COMPANION_URL_KEY];
  return typeof value === "string" && value ? value : DEFAULT_COMPANION_URL;
}

export async function setCompanionUrl(url: string): Promise<void> {
  await browser.storage.local.set({ [COMPANION_URL_KEY]: url });
}

/** Calls `listener` whenever the companion address is saved (on the options page); returns the unsubscribe. */
export function onCompanionUrlChange(listener: () => void): () => void {
  const handle = (changes: Record<string, unknown>) => {
    if (COMPANION_URL_KEY in changes) listener();
  };
  browser.storage.local.onChanged.addListener(handle);
  return () => browser.storage.local.onChanged.removeListener(handle);
}

/**
 * The companion only listens on the loopback address, and the manifest only grants
 * http://127.0.0.1/*: accept `http://127.0.0.1[:port]` (path ignored), nothing else.
 */
export function parseCompanionUrl(input: string): { url: string } | { error: MessageKey } {
  let parsed: URL;
  try {
    parsed = new URL(input.trim());
  } catch {
    return { error: "optionsUrlInvalid" };
  }
  if (parsed.protocol !== "http:" || parsed.hostname !== "127.0.0.1") {
    return { error: "optionsUrlLoopbackOnly" };
  }
  return { url: parsed.origin };
}
