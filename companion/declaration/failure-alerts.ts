import type { Clock } from "../clock.js";
import { HOUR } from "../clock.js";
import type { EventHub } from "../events/hub.js";
import type { Managers } from "../grants/managers.js";
import type { UnitsStore } from "../units/units.js";

export const ALERT_THRESHOLD = 10;
export const ALERT_WINDOW = HOUR;

/**
 * Wrong 申报密码 tries across all people, per unit: when a unit sees ALERT_THRESHOLD of them within
 * an hour, its legal rep (and finance managers) are told in the browser, at most once an hour.
 */
export function declarationAlertService(deps: {
  clock: Clock;
  hub: EventHub;
  units: UnitsStore;
  managers: Managers;
  today: () => string;
}) {
  const failures = new Map<string, number[]>();
  const lastAlert = new Map<string, number>();

  return {
    async record(tin: string): Promise<void> {
      const now = deps.clock.now();
      const recent = [...(failures.get(tin) ?? []), now].filter((at) => now - at < ALERT_WINDOW);
      failures.set(tin, recent);
      if (recent.length < ALERT_THRESHOLD || now - (lastAlert.get(tin) ?? Number.NEGATIVE_INFINITY) < ALERT_WINDOW)
        return;
      lastAlert.set(tin, now);
      const unit = await deps.units.unit(tin);
      deps.hub.publish(await deps.managers.officerIds(tin, deps.today()), {
        type: "unit-alert",
        unitTin: tin,
        unitName: unit?.name ?? tin,
        failures: recent.length,
        windowMinutes: ALERT_WINDOW / 60_000,
      });
    },
  };
}

export type DeclarationFailureAlerts = ReturnType<typeof declarationAlertService>;
