/** The extension's watch on the companion: heartbeat while it answers, backoff while it does not, at once on askNow. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  askNow,
  companionStatus,
  HEARTBEAT_MS,
  onCompanionStatus,
  reportAnswered,
  reportUnreachable,
  retryDelay,
  watchCompanion,
} from "../../extension/lib/companion-status.js";

const URL = "http://127.0.0.1:17800";

/** A companion the probe finds up or down, reporting as the client's calls do; counts the probes. */
function fakeCompanion() {
  const companion = {
    up: true,
    probes: 0,
    probe: async () => {
      companion.probes += 1;
      if (companion.up) reportAnswered();
      else {
        reportUnreachable(URL, "TypeError: Failed to fetch");
        throw new Error("offline");
      }
    },
  };
  return companion;
}

beforeEach(() => {
  vi.useFakeTimers();
  reportAnswered();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("companion status", () => {
  it("backs off 1 s, 2 s, 4 s, 8 s, then asks every 10 s", () => {
    expect([1, 2, 3, 4, 5, 6, 20].map(retryDelay)).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
  });

  it("counts the tries that found nothing, and tells listeners when it is back", () => {
    const seen: boolean[] = [];
    const stop = onCompanionStatus((status) => seen.push(status.reachable));
    reportUnreachable(URL, "TypeError: Failed to fetch");
    reportUnreachable(URL, "TypeError: Failed to fetch");
    expect(companionStatus()).toMatchObject({ reachable: false, baseUrl: URL, attempts: 2 });
    reportAnswered();
    reportAnswered();
    stop();
    expect(seen).toEqual([false, false, true]);
  });

  it("asks every few seconds while it answers, notices it going away, retries with backoff, and sees it back", async () => {
    const companion = fakeCompanion();
    const watch = new AbortController();
    watchCompanion(watch.signal, { probe: companion.probe, visible: () => true });
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS * 2);
    expect(companion.probes).toBe(2);

    companion.up = false;
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(companionStatus()).toMatchObject({ reachable: false, attempts: 1 });
    // Then after 1 s, 2 s and 4 s: three more tries in 7 s.
    await vi.advanceTimersByTimeAsync(7_000);
    expect(companion.probes).toBe(6);
    expect(companionStatus()).toMatchObject({ reachable: false, attempts: 4 });

    companion.up = true;
    await vi.advanceTimersByTimeAsync(8_000);
    expect(companionStatus().reachable).toBe(true);
    expect(companion.probes).toBe(7);
    watch.abort();
  });

  it("asks at once on askNow (重新连接), and nothing more once the view has gone away", async () => {
    const companion = fakeCompanion();
    companion.up = false;
    const watch = new AbortController();
    watchCompanion(watch.signal, { probe: companion.probe, visible: () => true });
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(companion.probes).toBe(1);
    companion.up = true;
    askNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(companion.probes).toBe(2);
    expect(companionStatus().reachable).toBe(true);

    watch.abort();
    askNow();
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS * 10);
    expect(companion.probes).toBe(2);
  });

  it("skips the heartbeat on a page in the background, but still retries while the companion is away", async () => {
    const companion = fakeCompanion();
    const watch = new AbortController();
    watchCompanion(watch.signal, { probe: companion.probe, visible: () => false });
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS * 3);
    expect(companion.probes).toBe(0);
    // A call the page made found nothing: the retries start.
    companion.up = false;
    reportUnreachable(URL, "TypeError: Failed to fetch");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(companion.probes).toBe(1);
    watch.abort();
  });
});
