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
