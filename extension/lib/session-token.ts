import { browser } from "wxt/browser";

/**
 * The session token lives in storage.session: kept while the browser runs, gone when it closes,
 * never written to disk, and only readable by the extension's own pages.
 */
const TOKEN_KEY = "sessionToken";

export async function getSessionToken(): Promise<string | null> {
  const stored = await browser.storage.session.get(TOKEN_KEY);
  const value = stored[TOKEN_KEY];
  return typeof value === "string" && value ? value : null;
}

export async function setSessionToken(token: string): Promise<void> {
  await browser.storage.session.set({ [TOKEN_KEY]: token });
}

export async function clearSessionToken(): Promise<void> {
  await browser.storage.session.remove(TOKEN_KEY);
}

/** Calls `listener` with the new token (or null) whenever it is set or cleared; returns the unsubscribe. */
export function onSessionTokenChange(listener: (token: string | null) => void): () => void {
  const handle = (changes: Record<string, { newValue?: unknown }>) => {
    const change = changes[TOKEN_KEY];
    if (!change) return;
    listener(typeof change.newValue === "string" && change.newValue ? change.newValue : null);
  };
  browser.storage.session.onChanged.addListener(handle);
  return () => browser.storage.session.onChanged.removeListener(handle);
}
