import { chmodSync, mkdirSync, statSync } from "node:fs";

/** Only the user may list or read the data dir (its database, log and SMS outbox). */
const DATA_DIR_MODE = 0o700;

/**
 * Creates the data dir (0700), or tightens an existing one that others may read or enter. Answers
 * the mode it had when it was tightened, for the companion's log. (Windows has no such modes.)
 */
export function secureDataDir(dataDir: string): number | undefined {
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  if (process.platform === "win32") return undefined;
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  chmodSync(dataDir, mode & DATA_DIR_MODE);
  return mode;
}
