export type GuessOutcome = "ok" | "invalid" | "locked";

/**
 * One guess at a secret that tolerates `maxFailures` wrong guesses (注册码, SMS codes). Call it
 * inside the transaction that read `row`, so the check and the count are one atomic step.
 */
export async function countedGuess(
  row: { failures: number } | undefined,
  maxFailures: number,
  matches: () => boolean,
  countFailure: () => Promise<unknown>,
): Promise<GuessOutcome> {
  if (!row) return "invalid";
  if (row.failures >= maxFailures) return "locked";
  if (matches()) return "ok";
  await countFailure();
  return row.failures + 1 >= maxFailures ? "locked" : "invalid";
}
