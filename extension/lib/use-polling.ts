import { useEffect } from "preact/hooks";
import type { Resource } from "./use-resource.js";

/**
 * Loads a resource again `ms` after each answer (or failure) while the component is mounted: the
 * popup's view of pending desktop pairing requests, which the companion does not push. Waiting for
 * the answer first means a slow companion is never asked twice at once.
 */
export function usePolling(resource: Resource<unknown>, ms: number): void {
  const { loading, reload } = resource;
  useEffect(() => {
    if (loading) return;
    const timer = setTimeout(reload, ms);
    return () => clearTimeout(timer);
  }, [loading]);
}
