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
 * `deps`). An answer that arrives after a newer load started is dropped.
 */
export function useResource<T>(load: () => Promise<T>, deps: unknown[]): Resource<T> {
  const [state, setState] = useState<Omit<Resource<T>, "reload">>({ data: null, error: null, loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState((previous) => ({ data: previous.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, generation]);
  return { ...state, reload: () => setGeneration((n) => n + 1) };
}
