export type GuessOutcome = "ok" | "invalid" | "locked";

/**
 * One guess at a secret that tolerates `maxFailures` wrong guesses (注册码, SMS codes). Call it
 * inside the transaction that read `row` locked, so the check and the count are one atomic step.
 */
export async function countedGuess<Row extends { failures: number }>(
  row: Row | undefined,
  maxFailures: number,
  matches: (row: Row) => boolean,
  countFailure: (row: Row) => Promise<unknown>,
): Promise<GuessOutcome> {
  if (!row) return "invalid";
  if (row.failures >= maxFailures) return "locked";
  if (matches(row)) return "ok";
  await countFailure(row);
  return row.failures + 1 >= maxFailures ? "locked" : "invalid";
}
