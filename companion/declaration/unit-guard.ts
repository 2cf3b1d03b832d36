import { randomUUID } from "node:crypto";
import { shanghaiDateTimeText } from "../../shared/dates.js";
import type { Clock } from "../clock.js";
import { HOUR } from "../clock.js";
import { AppError, secondsUntil } from "../errors.js";
import type { EventHub } from "../events/hub.js";
import type { Managers } from "../grants/managers.js";
import type { UnitsStore } from "../units/units.js";
import type { DeclarationUnitGuardStore } from "./unit-guard-store.js";

/** Wrong 申报密码 tries across all people at a unit count for this long. */
export const FAILURE_WINDOW = HOUR;
/** This many in the window tell the unit's managers (at most once per window). */
export const ALERT_THRESHOLD = 10;
/**
 * This many in the window close the unit's password path: each person's own 5 tries would let N
 * accounts make 5N guesses.
 */
export const CLOSE_THRESHOLD = 20;
export const CLOSE_DURATION = 2 * HOUR;

export interface DeclarationUnitGuardDeps {
  store: DeclarationUnitGuardStore;
  clock: Clock;
  hub: EventHub;
  units: UnitsStore;
  managers: Managers;
  today: () => string;
}

const closedRefusal = (closedUntil: number, now: number) =>
  new AppError(
    "DECLARATION_UNIT_CLOSED",
    { retryAfter: secondsUntil(closedUntil, now) },
    `该单位的申报密码在1小时内被多人输错${CLOSE_THRESHOLD}次，为保护单位安全，申报密码验证已暂停至 ${shanghaiDateTimeText(closedUntil)}。有办税授权的人员、法定代表人和财务负责人可直接进入；单位的法定代表人或财务负责人也可以重置申报密码。`,
  );

/**
 * The unit-wide counter of wrong 申报密码 tries, whoever made them, in the database (so an office's
 * companions share it): past CLOSE_THRESHOLD in an hour the unit's password path closes for
 * CLOSE_DURATION for everyone (those with a grant or an office still enter directly, before it is
 * asked), and its managers are told — of many failures, and of the closing.
 */
export function declarationUnitGuard({ store, clock, hub, units, managers, today }: DeclarationUnitGuardDeps) {
  async function tellManagers(tin: string, failures: number, closedUntil: number | null) {
    const unit = await units.unit(tin);
    hub.publish(await managers.managerIds(tin, today()), {
      type: "unit-alert",
      unitTin: tin,
      unitName: unit?.name ?? tin,
      failures,
      windowMinutes: FAILURE_WINDOW / 60_000,
      ...(closedUntil === null ? {} : { closedUntil: new Date(closedUntil).toISOString() }),
    });
  }

  return {
    /** Refuses while the unit's password path is closed; a plain read, before anything is counted. */
    async refuseIfClosed(tin: string): Promise<void> {
      const { closedUntil } = await store.guardOf(tin);
      const now = clock.now();
      if (closedUntil !== null && closedUntil > now) throw closedRefusal(closedUntil, now);
    },

    /**
     * Counts a try at the unit as a failure before the (slow) password check, in one transaction
     * with the check that the unit is open, so concurrent tries cannot slip past the threshold; the
     * try that reaches it closes the unit. Answers the failure's id, for `refund`.
     */
    async reserve(tin: string): Promise<string> {
      const now = clock.now();
      const id = randomUUID();
      const closedUntil = await store.transaction(async () => {
        const guard = await store.lockedGuardOf(tin);
        if (guard.closedUntil !== null && guard.closedUntil > now) return guard.closedUntil;
        await store.prune(tin, now - FAILURE_WINDOW);
        await store.insertFailure(id, tin, now);
        if ((await store.failuresSince(tin, now - FAILURE_WINDOW)) >= CLOSE_THRESHOLD) {
          await store.close(tin, now + CLOSE_DURATION, id);
        }
        return null;
      });
      if (closedUntil !== null) throw closedRefusal(closedUntil, now);
      return id;
    },

    /** The reserved try was right after all: it is no failure, and if it closed the unit, the unit reopens. */
    refund: (tin: string, failure: string) =>
      store.transaction(async () => {
        await store.lockedGuardOf(tin);
        await store.dropFailure(failure);
        await store.reopenIfClosedBy(tin, failure);
      }),

    /**
     * The reserved try was wrong: tells the unit's managers when it closed the unit, or when the
     * failures reach ALERT_THRESHOLD (at most once per window). Decided under the unit's lock, so
     * an office's companions send each alert once.
     */
    async failed(tin: string): Promise<void> {
      const now = clock.now();
      const alert = await store.transaction(async () => {
        const guard = await store.lockedGuardOf(tin);
        const failures = await store.failuresSince(tin, now - FAILURE_WINDOW);
        const closedUntil = guard.closedUntil !== null && guard.closedUntil > now ? guard.closedUntil : null;
        const due =
          closedUntil !== null
            ? guard.closureAlertedFor !== closedUntil
            : failures >= ALERT_THRESHOLD && (guard.alertedAt === null || now - guard.alertedAt >= FAILURE_WINDOW);
        if (!due) return null;
        await store.markAlerted(tin, now, closedUntil ?? guard.closureAlertedFor);
        return { failures, closedUntil };
      });
      if (alert) await tellManagers(tin, alert.failures, alert.closedUntil);
    },
  };
}

export type DeclarationUnitGuard = ReturnType<typeof declarationUnitGuard>;
