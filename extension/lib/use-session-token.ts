import { useEffect, useState } from "preact/hooks";
import { getSessionToken, onSessionTokenChange } from "./session-token.js";

/**
 * The stored session token, kept current when the popup logs in or out (undefined while it is
 * being read). Full-tab pages use it to follow the login made in the popup.
 */
export function useSessionToken(): string | null | undefined {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const stop = onSessionTokenChange((next) => setToken(next));
    void getSessionToken().then((stored) => live && setToken((current) => (current === undefined ? stored : current)));
    return () => {
      live = false;
      stop();
    };
  }, []);
  return token;
}
