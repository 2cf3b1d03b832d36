export type GuessOutcome = "ok" | "invalid" | "locked";

/**
 * One guess at a secret that tolerates `maxFailures` wrong guesses (注册码, SMS codes). Call it
 * inside the transaction that read `row`, so the check and the count are one atomic step.
 */
export function countedGuess(
  row: { failures: number } | undefined,
  maxFailures: number,
  matches: () => boolean,
  countFailure: () => void,
): GuessOutcome {
  if (!row) return "invalid";
  if (row.failures >= maxFailures) return "locked";
  if (matches()) return "ok";
  countFailure();
  return row.failures + 1 >= maxFailures ? "locked" : "invalid";
}
