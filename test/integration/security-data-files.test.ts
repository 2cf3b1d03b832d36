/**
 * The data files are the user's only (issue 13, "Framing and contract"): the SQLite database, its
 * WAL and its shared memory are 0600 and the data dir 0700, whatever the umask; a data dir left
 * open to others (made by hand, or by an older companion) is tightened at start, and the log says
 * so. Real files on disk, checked with stat.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DB_FILE_NAME } from "../../companion/db/database.js";
import { type RunningCompanion, startCompanion } from "../support/companion.js";

const onSqlite = process.env.TAXAUTH_TEST_STORE !== "postgres";
const modeOf = (path: string) => statSync(path).mode & 0o777;
const sqliteFiles = (dataDir: string) =>
  ["", "-wal", "-shm"].map((suffix) => join(dataDir, `${DB_FILE_NAME}${suffix}`));

let parent: string;
let umask: number;
beforeAll(() => {
  parent = mkdtempSync(join(tmpdir(), "taxauth-modes-"));
  // The usual umask, which lets group and others read what a process creates.
  umask = process.umask(0o022);
});
afterAll(() => {
  process.umask(umask);
  rmSync(parent, { recursive: true, force: true });
});

let companion: RunningCompanion | undefined;
afterAll(() => companion?.close());

it("a new data dir is 0700; the database, its WAL and its shared memory are 0600", async () => {
  const dataDir = join(parent, "fresh", "taxauth");
  companion = await startCompanion({ dataDir });
  expect(modeOf(dataDir)).toBe(0o700);
  if (onSqlite) {
    for (const file of sqliteFiles(dataDir)) {
      expect(existsSync(file), file).toBe(true);
      expect(modeOf(file), file).toBe(0o600);
    }
  }
  await companion.close();
  companion = undefined;
});

it("a data dir others can read, with files others can read, is tightened at start, and the log says so", async () => {
  const dataDir = join(parent, "loose");
  mkdirSync(dataDir, { mode: 0o755 });
  chmodSync(dataDir, 0o755);
  const logs: string[] = [];
  companion = await startCompanion({ dataDir, logs });
  // As an older companion left them: readable by all.
  companion = await companion.restart(async () => {
    chmodSync(dataDir, 0o755);
    for (const file of sqliteFiles(dataDir)) if (existsSync(file)) chmodSync(file, 0o644);
  });
  expect(modeOf(dataDir)).toBe(0o700);
  if (onSqlite) for (const file of sqliteFiles(dataDir)) expect(modeOf(file), file).toBe(0o600);
  const notices = logs.filter((line) => line.includes("the data dir was open to other users"));
  // Once at the first start (made 0755 above), once after the restart.
  expect(notices).toHaveLength(2);
  expect(JSON.parse(notices[0] as string)).toMatchObject({ level: 40, dataDir, mode: "755" });
});
