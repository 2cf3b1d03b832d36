/** Counts the frames of one connection against its limit. */
export interface RateLimiter {
  /** Counts a frame; false when it is over the limit. */
  admit(): boolean;
}

/** A token bucket: bursts of `burst` frames, refilled continuously at `perSecond`. */
export function tokenBucket(burst: number, perSecond: number): RateLimiter {
  let tokens = burst;
  let lastRefill = Date.now();
  return {
    admit() {
      const now = Date.now();
      tokens = Math.min(burst, tokens + ((now - lastRefill) / 1000) * perSecond);
      lastRefill = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/**
 * At most `limit` frames a minute. The first minute starts with the connection, each later one with
 * the first frame after the previous minute is over.
 */
export function perMinute(limit: number): RateLimiter {
  let windowStart = Date.now();
  let frames = 0;
  return {
    admit() {
      const now = Date.now();
      if (now - windowStart > 60_000) {
        windowStart = now;
        frames = 0;
      }
      frames += 1;
      return frames <= limit;
    },
  };
}
