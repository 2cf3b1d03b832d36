import { addDays, startOfShanghaiDay } from "../../shared/dates.js";
import { maskDocumentNumber } from "../../shared/identity/documents.js";
import type { PeopleStore } from "../accounts/people.js";
import type { AuditLog } from "../audit/audit-log.js";
import { inOffice, type UnitsStore } from "../units/units.js";
import { type GrantFacts, grantStatus } from "./status.js";
import type { GrantsStore } from "./store.js";

export interface AccessLine {
  name: string;
  docType: string;
  maskedDocNumber: string;
  /** 法定代表人, 财务负责人, or 授权: 办税权限/管理权限 (grant id). */
  through: string;
}

/**
 * "Who could file for this unit on that day, and through which grant or office." Offices come from
 * their recorded terms; grants are replayed from the history, so a grant revoked or changed later
 * still counts for the days it was in force. A grant counts if it was 有效 at any moment of the day
 * (shown with the last such state).
 */
export async function accessReport(
  deps: { units: UnitsStore; people: PeopleStore; audit: AuditLog; grants: GrantsStore },
  tin: string,
  date: string,
): Promise<AccessLine[]> {
  const { units, people, audit, grants } = deps;
  await units.requireUnit(tin);
  const lines: AccessLine[] = [];
  for (const office of await units.officers(tin)) {
    if (!inOffice(office, date)) continue;
    lines.push({
      name: office.name,
      docType: office.docType,
      maskedDocNumber: maskDocumentNumber(office.docNumber),
      through: office.role,
    });
  }

  const dayStart = startOfShanghaiDay(date);
  const dayEnd = startOfShanghaiDay(addDays(date, 1));
  // Each grant's states over time, from the history: the state in force when the day began, and
  // every state it took during the day.
  const statesOfDay = new Map<string, Array<GrantFacts & { permission: string }>>();
  const stateAtDayStart = new Map<string, GrantFacts & { permission: string }>();
  for (const row of await audit.ofUnit(tin)) {
    if (row.at >= dayEnd || !row.after) continue;
    const state = row.after as unknown as GrantFacts & { permission: string };
    if (row.at < dayStart) stateAtDayStart.set(row.grantId, state);
    else statesOfDay.set(row.grantId, [...(statesOfDay.get(row.grantId) ?? []), state]);
  }
  const grantIds = new Set([...stateAtDayStart.keys(), ...statesOfDay.keys()]);
  for (const grantId of grantIds) {
    const states = [stateAtDayStart.get(grantId), ...(statesOfDay.get(grantId) ?? [])].filter((s) => s !== undefined);
    const inForce = states.findLast((state) => grantStatus(state, date) === "有效");
    if (!inForce) continue;
    const granteeId = (await grants.byId(grantId))?.granteeId;
    const grantee = granteeId ? await people.byId(granteeId) : null;
    if (!grantee) continue;
    lines.push({
      name: grantee.name,
      docType: grantee.docType,
      maskedDocNumber: maskDocumentNumber(grantee.docNumber),
      through: `授权: ${inForce.permission} (${grantId})`,
    });
  }
  return lines;
}
