import { browser } from "wxt/browser";

/**
 * The session token lives in storage.session: kept while the browser runs, gone when it closes,
 * never written to disk, and only readable by the extension's own pages.
 */
const TOKEN_KEY = "sessionToken";

/**
 * Whether a token may be stored, answered at once: the popup picks its first screen before its
 * first render, and a logged-out opening should not wait for storage.session's answer to show the
 * login form. A yes or no in the pages' localStorage, never the token: set before a token is
 * stored, cleared after it is removed, and brought in line with every read. A stale yes (the
 * browser restarted, the background ended the session) only costs that wait once.
 */
const MAY_BE_STORED_KEY = "sessionTokenMayBeStored";
/** The background's service worker has no localStorage: there the hint is neither kept nor read. */
const pageStorage = typeof localStorage === "undefined" ? null : localStorage;

function rememberWhetherStored(stored: boolean): void {
  if (stored) pageStorage?.setItem(MAY_BE_STORED_KEY, "1");
  else pageStorage?.removeItem(MAY_BE_STORED_KEY);
}

/** False only when no token is stored (as far as this page's hint knows); true means: read it. */
export function mayHaveSessionToken(): boolean {
  return pageStorage === null || pageStorage.getItem(MAY_BE_STORED_KEY) !== null;
}

export async function getSessionToken(): Promise<string | null> {
  const stored = await browser.storage.session.get(TOKEN_KEY);
  const value = stored[TOKEN_KEY];
  const token = typeof value === "string" && value ? value : null;
  rememberWhetherStored(token !== null);
  return token;
}

export async function setSessionToken(token: string): Promise<void> {
  rememberWhetherStored(true);
  await browser.storage.session.set({ [TOKEN_KEY]: token });
}

export async function clearSessionToken(): Promise<void> {
  await browser.storage.session.remove(TOKEN_KEY);
  rememberWhetherStored(false);
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
