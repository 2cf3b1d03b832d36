import type { Person } from "../accounts/people.js";
import type { Managers } from "../grants/managers.js";

/** How a person enters a unit without the 申报密码: by their office, or by an active grant. */
export type DirectAccess = "office" | "grant";

/**
 * 单位办税验证: the legal rep, finance managers and holders of an active grant enter directly. Reads
 * only the rows of this person at this unit.
 */
export async function directAccess(
  managers: Managers,
  person: Person,
  tin: string,
  date: string,
): Promise<DirectAccess | null> {
  if ((await managers.officeRoles(person, tin, date)).length > 0) return "office";
  return (await managers.activeGrants(person.id, tin, date)).length > 0 ? "grant" : null;
}
