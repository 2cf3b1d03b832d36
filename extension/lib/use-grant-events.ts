import { useEffect, useRef } from "preact/hooks";
import { connectEvents, type GrantChangedEvent, type GrantRequestChangedEvent } from "./events.js";

/**
 * Keeps the event socket open while the component is mounted and `session` (the token, or true) is
 * set; a new session opens a new socket. `onChange` gets each grant-changed event, and null after a
 * reconnect (events may have been missed: refetch everything); 申请授权 events come to `onChange`
 * too, so what lists requests refetches with what lists grants.
 */
export function useGrantEvents(
  onChange: (event: GrantChangedEvent | GrantRequestChangedEvent | null) => void,
  session: string | boolean | null | undefined = true,
): void {
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    if (!session) return;
    const connection = connectEvents({
      onGrantChanged: (event) => latest.current(event),
      onGrantRequestChanged: (event) => latest.current(event),
      onReady: (reconnected) => {
        if (reconnected) latest.current(null);
      },
    });
    return () => connection.close();
  }, [session]);
}
