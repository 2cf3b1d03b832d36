/**
 * Whether the companion answers, as this page last saw it. Every call to the companion reports
 * what it found (companion-client, the event socket); a page's watch (watchCompanion) asks on its
 * own as well — every few seconds while the companion answers, to notice it going away on a page
 * that makes no calls, and with backoff while it does not, to notice it coming back. Pages show the
 * offline state from here: the popup its offline screen, the full-tab pages a banner.
 */

export type CompanionStatus =
  | { reachable: true }
  | {
      reachable: false;
      /** The address tried, and what the browser said (for 技术信息). */
      baseUrl: string;
      error: string;
      /** Tries that found nothing since it was last reached, and when the last one was (ms). */
      attempts: number;
      lastTriedAt: number;
    };
export type Unreachable = Extract<CompanionStatus, { reachable: false }>;

/** While it answers: ask this often, to notice it going away on a page that makes no calls. */
export const HEARTBEAT_MS = 5_000;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 10_000;

/** After `attempts` tries that found nothing: 1 s, 2 s, 4 s, 8 s, then every 10 s. */
export function retryDelay(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, attempts - 1));
}

// Optimistic until a call finds nothing: the first screen shows no banner while it is asked.
let status: CompanionStatus = { reachable: true };
const listeners = new Set<(status: CompanionStatus) => void>();
const askers = new Set<() => void>();

function change(next: CompanionStatus): void {
  status = next;
  for (const listener of [...listeners]) listener(next);
}

export const companionStatus = (): CompanionStatus => status;

/** Calls `listener` with each new status; returns the unsubscribe. */
export function onCompanionStatus(listener: (status: CompanionStatus) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Something answered at the companion address (any HTTP status, an open socket). */
export function reportAnswered(): void {
  if (!status.reachable) change({ reachable: true });
}

/** Nothing answered at `baseUrl`: the connection was refused, or timed out. */
export function reportUnreachable(baseUrl: string, error: string): void {
  change({
    reachable: false,
    baseUrl,
    error,
    attempts: status.reachable ? 1 : status.attempts + 1,
    lastTriedAt: Date.now(),
  });
}

/** Ask now rather than at the next heartbeat or retry: 重新连接, a socket that dropped, a new address. */
export function askNow(): void {
  for (const ask of [...askers]) ask();
}

export interface WatchOptions {
  /** Asks the companion once; reports what it found through the call it makes (it may throw). */
  probe(signal: AbortSignal): Promise<unknown>;
  /** A page in the background skips the heartbeat (it asks again when shown, through askNow). */
  visible(): boolean;
}

/**
 * Asks the companion until `signal` aborts (the view went away): every HEARTBEAT_MS while it
 * answers and the page is visible, after retryDelay(attempts) while it does not, at once on
 * askNow(). One probe at a time; the one under way is cancelled with the watch.
 */
export function watchCompanion(signal: AbortSignal, { probe, visible }: WatchOptions): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let probing = false;

  const schedule = () => {
    clearTimeout(timer);
    if (signal.aborted || probing) return;
    if (status.reachable && !visible()) return;
    timer = setTimeout(ask, status.reachable ? HEARTBEAT_MS : retryDelay(status.attempts));
  };
  const ask = () => void probeOnce();
  async function probeOnce(): Promise<void> {
    clearTimeout(timer);
    if (signal.aborted || probing) return;
    probing = true;
    try {
      await probe(signal);
    } catch {
      // Reported by the call itself; a refusal still means the companion answered.
    } finally {
      probing = false;
    }
    schedule();
  }

  askers.add(ask);
  // A call elsewhere on the page found the companion gone (or back): start the right clock.
  const stopListening = onCompanionStatus(schedule);
  signal.addEventListener(
    "abort",
    () => {
      clearTimeout(timer);
      askers.delete(ask);
      stopListening();
    },
    { once: true },
  );
  schedule();
}
