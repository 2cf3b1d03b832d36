import { useEffect, useState } from "preact/hooks";

export interface Resource<T> {
  /** The last answer; kept while a reload runs, so live refreshes don't flicker. */
  data: T | null;
  error: unknown;
  loading: boolean;
  /** Loads again (after an action, or 重试 after a failure). */
  reload(): void;
}

/**
 * Loads `load()` now and again whenever a dependency changes (a live event bumps a counter in
 * `deps`). A load replaced by a newer one, or of a view that went away, is cancelled (its signal).
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Resource<T> {
  const [state, setState] = useState<Omit<Resource<T>, "reload">>({ data: null, error: null, loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    const live = () => !controller.signal.aborted;
    setState((previous) => ({ ...previous, loading: true }));
    load(controller.signal).then(
      (data) => live() && setState({ data, error: null, loading: false }),
      (error: unknown) => live() && setState((previous) => ({ data: previous.data, error, loading: false })),
    );
    return () => controller.abort();
  }, [...deps, generation]);
  return { ...state, reload: () => setGeneration((n) => n + 1) };
}
