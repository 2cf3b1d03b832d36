import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedCaptchaSource } from "../../companion/captcha/captcha-source.js";
import { DEFAULT_APP_DOWNLOAD_URL } from "../../companion/config.js";
import { type Core, openCore } from "../../companion/core.js";
import { CLOSE_THRESHOLD } from "../../companion/declaration/unit-guard.js";
import { AppError } from "../../companion/errors.js";
import { REGISTRATION_CODE_MAX_FAILURES } from "../../companion/hall/registration-codes.js";
import { FACE_FAILURES_PER_DAY } from "../../companion/portrait/face-verifications.js";
import { MAX_FAILURES, reserveTry } from "../../companion/security/attempt-guard.js";
import { outboxGateway, readOutbox } from "../../companion/sms/gateway.js";
import { SMS_MAX_FAILURES } from "../../companion/sms/sms-codes.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { QR_LOGIN_TTL_SECONDS } from "../../shared/qr-login/contract.js";
import { freshOfficeDatabase, KNOWN_CAPTCHA_ANSWER, lastSmsCode, TEST_KEYCHAIN_SERVICE } from "../support/companion.js";
import { newIdNumber, newPhone } from "../support/people.js";

/**
 * Two companions on one PostgreSQL, each with its own pool, racing guesses at one counter (SPEC §7,
 * §9): the database's row locks alone must keep the count, as nothing in one process orders the
 * other's tries. On the SQLite project the two are one companion (an office shares PostgreSQL, not
 * a file), and the same counts must hold.
 */
const onPostgres = process.env.TAXAUTH_TEST_STORE === "postgres";
const TRIES = 100;

const dirs: string[] = [];
let cores: Core[];

async function companionCore(databaseUrl: string | undefined): Promise<Core> {
  const dataDir = mkdtempSync(join(tmpdir(), "taxauth-pools-"));
  dirs.push(dataDir);
  return openCore({
    dataDir,
    databaseUrl,
    port: 0,
    extensionOrigins: [EXTENSION_ORIGIN],
    keychainService: TEST_KEYCHAIN_SERVICE,
    clock: { now: () => Date.now() },
    logLevel: "silent",
    qrLoginTtlSeconds: QR_LOGIN_TTL_SECONDS,
    appDownloadUrl: DEFAULT_APP_DOWNLOAD_URL,
    sms: outboxGateway(dataDir, { now: () => Date.now(), print: () => {} }),
    captcha: fixedCaptchaSource(KNOWN_CAPTCHA_ANSWER),
    // Each race carries a solved captcha per try, far past what a person may ask for.
    captchaIssueRate: { burst: 10_000, perSecond: 10_000 },
    faceChallengeIssueRate: { burst: 10_000, perSecond: 10_000 },
  });
}

/** A captcha issued by `core`, answered right: the tries below that need one carry it. */
async function solved(core: Core) {
  const { captchaId } = await core.captchas.issue();
  return { captchaId, captchaAnswer: KNOWN_CAPTCHA_ANSWER };
}

beforeAll(async () => {
  if (onPostgres) {
    const url = await freshOfficeDatabase();
    // One after the other: both migrate the same database.
    const first = await companionCore(url);
    cores = [first, await companionCore(url)];
  } else {
    const only = await companionCore(undefined);
    cores = [only, only];
  }
});
afterAll(async () => {
  for (const core of new Set(cores)) await core.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `TRIES` calls of `attempt`, alternating between the companions, all at once; how each ended. */
async function race<T>(attempt: (core: Core) => Promise<T>): Promise<Array<T | string>> {
  const outcomes = await Promise.allSettled(Array.from({ length: TRIES }, (_, i) => attempt(cores[i % 2]!)));
  return outcomes.map((outcome) => {
    if (outcome.status === "fulfilled") return outcome.value;
    if (outcome.reason instanceof AppError) return outcome.reason.code;
    throw outcome.reason;
  });
}

const tally = (outcomes: unknown[]) => {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[String(outcome)] = (counts[String(outcome)] ?? 0) + 1;
  return counts;
};

describe(`guessing counters across companions (${onPostgres ? "two pools on PostgreSQL" : "SQLite"})`, () => {
  it("counts exactly five login tries, then the subject is locked", async () => {
    const subject = `person:race-${newIdNumber()}`;
    // The counting step of guardedAttempt, from both companions directly: its per-process queue
    // would otherwise order each companion's own tries, and only the database orders the two.
    const outcomes = await race(async (core) => {
      const deps = { guards: core.attemptGuards, clock: core.clock, captchas: core.captchas };
      const reservation = await reserveTry(deps, subject, {});
      return reservation.kind === "reserved" ? `reserved ${reservation.failuresSoFar}` : reservation.kind;
    });
    expect(tally(outcomes)).toEqual({
      "reserved 1": 1,
      "reserved 2": 1,
      "reserved 3": 1,
      "reserved 4": 1,
      "reserved 5": 1,
      locked: TRIES - MAX_FAILURES,
    });
    const guard = await cores[1]!.attemptGuards.guardOf(subject);
    expect(guard?.failures).toBe(MAX_FAILURES);
    expect(guard?.lockedUntil).toBeGreaterThan(Date.now());
  });

  it("counts exactly five wrong 注册码 guesses, then even the right code is refused", async () => {
    const identity = { docType: "居民身份证" as const, docNumber: newIdNumber(), name: "宋晓明", nationality: "中国" };
    const { code } = await cores[0]!.registrationCodes.issue(identity);
    // I and O are not in the code alphabet: never the right code.
    const outcomes = await race(async (core) => core.registrationCodes.check(identity, "IIIIII", await solved(core)));
    expect(tally(outcomes)).toEqual({
      REGISTRATION_CODE_INVALID: REGISTRATION_CODE_MAX_FAILURES - 1,
      REGISTRATION_CODE_LOCKED: TRIES - REGISTRATION_CODE_MAX_FAILURES + 1,
    });
    // The document's counter (the only registration counter this file makes).
    const failures = await cores[1]!.sql.value<number>(
      "SELECT failures FROM login_guards WHERE subject LIKE 'registration:%'",
    );
    expect(failures).toBe(REGISTRATION_CODE_MAX_FAILURES);
    await expect(cores[1]!.registrationCodes.check(identity, code, await solved(cores[1]!))).rejects.toMatchObject({
      code: "REGISTRATION_CODE_LOCKED",
    });
  });

  it("counts exactly five wrong SMS code guesses, then even the right code is refused", async () => {
    const phone = newPhone();
    await cores[0]!.smsCodes.send("register", phone);
    const code = await lastSmsCode(cores[0]!.config.dataDir, phone);
    const wrong = code === "000000" ? "000001" : "000000";
    const outcomes = await race((core) => core.smsCodes.verify("register", phone, wrong));
    expect(tally(outcomes)).toEqual({
      SMS_CODE_INVALID: SMS_MAX_FAILURES - 1,
      SMS_CODE_LOCKED: TRIES - SMS_MAX_FAILURES + 1,
    });
    const failures = await cores[1]!.sql.value<number>("SELECT failures FROM sms_codes WHERE phone = ?", [phone]);
    expect(failures).toBe(SMS_MAX_FAILURES);
    await expect(cores[1]!.smsCodes.verify("register", phone, code)).rejects.toMatchObject({
      code: "SMS_CODE_LOCKED",
    });
  });

  it("sends one SMS code to a phone within the cooldown, whichever companion is asked", async () => {
    const phone = newPhone();
    const outcomes = await race(async (core) => {
      await core.smsCodes.send("register", phone);
      return "sent";
    });
    expect(tally(outcomes)).toEqual({ sent: 1, SMS_COOLDOWN: TRIES - 1 });
    const delivered = dirs.flatMap((dir) => readOutbox(dir)).filter((entry) => entry.phone === phone);
    expect(delivered).toHaveLength(1);
    expect(await cores[1]!.sql.value<number>("SELECT COUNT(*) FROM sms_codes WHERE phone = ?", [phone])).toBe(1);
  });

  it("counts exactly twenty 申报密码 failures at a unit across people, then its password path is closed", async () => {
    const tin = `9144030071526${String(Date.now() % 1e5).padStart(5, "0")}`;
    const outcomes = await race(async (core) => {
      await core.declarationUnitGuard.reserve(tin);
      return "counted";
    });
    expect(tally(outcomes)).toEqual({ counted: CLOSE_THRESHOLD, DECLARATION_UNIT_CLOSED: TRIES - CLOSE_THRESHOLD });
    const failures = await cores[1]!.sql.value<number>(
      "SELECT COUNT(*) FROM declaration_unit_failures WHERE unit_tin = ?",
      [tin],
    );
    expect(failures).toBe(CLOSE_THRESHOLD);
  });

  it("counts exactly five failed face checks of a 居民身份证 in a day", async () => {
    const docNumber = newIdNumber();
    // No frames: the liveness check refuses before any model runs, a failure that counts.
    const outcomes = await race(async (core) => {
      const { challengeId } = await core.faceChallenges.issue();
      return core.faceVerifications.verify(
        { docNumber, name: "宋晓明" },
        { challengeId, frames: [] },
        await solved(core),
      );
    });
    expect(tally(outcomes)).toEqual({
      FACE_LIVENESS_FAILED: FACE_FAILURES_PER_DAY,
      FACE_DAILY_LIMIT: TRIES - FACE_FAILURES_PER_DAY,
    });
    const failures = await cores[1]!.sql.value<number>("SELECT failures FROM face_failures WHERE doc_number = ?", [
      docNumber,
    ]);
    expect(failures).toBe(FACE_FAILURES_PER_DAY);
  });
});
