import { useEffect, useRef, useState } from "preact/hooks";
import {
  askNow,
  type CompanionStatus,
  companionStatus,
  onCompanionStatus,
  watchCompanion,
} from "./companion-status.js";
import { loadCompanion } from "./lazy.js";
import { onCompanionUrlChange } from "./settings.js";

/** Whether the companion answers, kept current (see companion-status). */
export function useCompanionStatus(): CompanionStatus {
  const [status, setStatus] = useState(companionStatus);
  useEffect(() => {
    setStatus(companionStatus());
    return onCompanionStatus(setStatus);
  }, []);
  return status;
}

/**
 * The page's watch on the companion while the view is mounted (the popup, a full-tab page's
 * frame): asks every few seconds, with backoff while it is away, at once when the page is shown
 * again or the address changes. Cancelled (its timer and the probe under way) when the view goes away.
 */
export function useCompanionWatch(): CompanionStatus {
  const status = useCompanionStatus();
  useEffect(() => {
    const controller = new AbortController();
    watchCompanion(controller.signal, {
      probe: async (signal) => (await loadCompanion()).alive(signal),
      visible: () => document.visibilityState === "visible",
    });
    const shown = () => {
      if (document.visibilityState === "visible") askNow();
    };
    document.addEventListener("visibilitychange", shown, { signal: controller.signal });
    const stopFollowingAddress = onCompanionUrlChange(askNow);
    return () => {
      controller.abort();
      stopFollowingAddress();
    };
  }, []);
  return status;
}

/** Calls `onBack` when the companion answers again after it had been away. */
export function useOnReconnect(onBack: () => void): void {
  const latest = useRef(onBack);
  latest.current = onBack;
  useEffect(() => {
    let away = !companionStatus().reachable;
    return onCompanionStatus((status) => {
      if (status.reachable && away) latest.current();
      away = !status.reachable;
    });
  }, []);
}
