import { useEffect, useState } from "preact/hooks";

/** Seconds left until a deadline (e.g. before an SMS may be sent again), ticking down to 0. */
export function useCountdown(initialSeconds = 0): [number, (seconds: number) => void] {
  const [deadline, setDeadline] = useState(() => Date.now() + initialSeconds * 1000);
  const [now, setNow] = useState(() => Date.now());
  const remaining = Math.max(0, Math.ceil((deadline - now) / 1000));
  useEffect(() => {
    if (remaining <= 0) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [deadline, remaining > 0]);
  const start = (seconds: number) => {
    const at = Date.now();
    setNow(at);
    setDeadline(at + seconds * 1000);
  };
  return [remaining, start];
}
