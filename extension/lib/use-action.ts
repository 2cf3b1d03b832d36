import { useEffect, useRef, useState } from "preact/hooks";
import { describeError } from "./describe-error.js";

export interface Action<A extends unknown[]> {
  /** A run is under way: its button shows disabled. */
  busy: boolean;
  /** What the last run's failure says; cleared when the next run starts. */
  error: string | null;
  /** Shows a message of the component's own in the same place (a notice that came later). */
  setError(message: string | null): void;
  /** Runs the action, unless a run is under way already (a double click, Enter pressed twice). */
  run(...args: A): Promise<void>;
}

export interface ActionOptions {
  /**
   * What a failure shows as `error`: a message, or null when it was shown elsewhere (under its
   * field, or handed to the parent). Without it, the companion's sentence (describeError).
   */
  onError?(error: unknown): string | null;
  /** Shown before the first run (a notice from the step before). */
  initialError?: string | null;
}

/**
 * An async action behind a button or a form: busy while it runs, the failure's message after.
 * Once the component is gone (the action's success often replaces it) nothing more is set or shown.
 */
export function useAction<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
  options: ActionOptions = {},
): Action<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(options.initialError ?? null);
  // The state is a render behind: a second click in the same tick still sees busy false.
  const running = useRef(false);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const run = async (...args: A) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await action(...args);
    } catch (err) {
      if (mounted.current) setError(options.onError ? options.onError(err) : describeError(err));
    } finally {
      running.current = false;
      if (mounted.current) setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
