import { describe, expect, it } from "vitest";
import { LOCK_DURATION, MAX_FAILURES, reserveAttempt } from "../../companion/security/attempt-guard.js";
import { countedGuess } from "../../companion/security/counted-guess.js";

const NOW = 1_000_000;

describe("login lockout arithmetic", () => {
  it("counts each try before the password check and locks on the fifth", () => {
    let row: Parameters<typeof reserveAttempt>[0];
    for (let attempt = 1; attempt <= MAX_FAILURES; attempt++) {
      const { reservation, next } = reserveAttempt(row, NOW, row?.captchaRequired ? true : null);
      expect(reservation).toEqual({ kind: "reserved", failuresSoFar: attempt });
      expect(next.lockedUntil).toBe(attempt === MAX_FAILURES ? NOW + LOCK_DURATION : null);
      row = { ...next, captchaRequired: true };
    }
    expect(reserveAttempt(row, NOW + 1, true).reservation).toEqual({
      kind: "locked",
      lockedUntil: NOW + LOCK_DURATION,
    });
  });

  it("ends the lock after 120 minutes and starts counting afresh", () => {
    const locked = { failures: 5, captchaRequired: true, lockedUntil: NOW + LOCK_DURATION };
    expect(reserveAttempt(locked, NOW + LOCK_DURATION - 1, true).reservation.kind).toBe("locked");
    const { reservation, next } = reserveAttempt(locked, NOW + LOCK_DURATION, true);
    expect(reservation).toEqual({ kind: "reserved", failuresSoFar: 1 });
    expect(next.lockedUntil).toBeNull();
  });

  it("asks for the captcha once one try failed, unless it was passed", () => {
    const failedOnce = { failures: 1, captchaRequired: true, lockedUntil: null };
    expect(reserveAttempt(failedOnce, NOW, null).reservation.kind).toBe("captcha-required");
    expect(reserveAttempt(failedOnce, NOW, false).reservation.kind).toBe("captcha-required");
    expect(reserveAttempt(failedOnce, NOW, true).reservation.kind).toBe("reserved");
  });

  it("reports a lock before asking for a captcha", () => {
    const locked = { failures: 5, captchaRequired: true, lockedUntil: NOW + 10 };
    expect(reserveAttempt(locked, NOW, null).reservation.kind).toBe("locked");
  });
});

describe("counted guesses (注册码, SMS codes)", () => {
  const run = async (failures: number | undefined, right: boolean) => {
    let counted = 0;
    const outcome = await countedGuess(
      failures === undefined ? undefined : { failures },
      5,
      () => right,
      async () => {
        counted += 1;
      },
    );
    return { outcome, counted };
  };

  it("accepts a right guess without counting", async () =>
    expect(await run(0, true)).toEqual({ outcome: "ok", counted: 0 }));
  it("counts a wrong guess", async () => expect(await run(0, false)).toEqual({ outcome: "invalid", counted: 1 }));
  it("locks on the fifth wrong guess", async () =>
    expect(await run(4, false)).toEqual({ outcome: "locked", counted: 1 }));
  it("refuses even a right guess once spent", async () =>
    expect(await run(5, true)).toEqual({ outcome: "locked", counted: 0 }));
  it("treats a missing code as invalid", async () =>
    expect(await run(undefined, true)).toEqual({ outcome: "invalid", counted: 0 }));
});
