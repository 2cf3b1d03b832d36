import type { Person } from "../accounts/people.js";
import type { Core } from "../core.js";
import { grantStatus } from "../grants/status.js";

/** How a person enters a unit without the 申报密码: by their office, or by an active grant. */
export type DirectAccess = "office" | "grant";

/** 单位办税验证: the legal rep, finance managers and holders of an active grant enter directly. */
export function directAccess(core: Core, person: Person, tin: string, date: string): DirectAccess | null {
  const { roles } = core.grants.managers.authority(person, tin, date);
  if (roles.includes("法定代表人") || roles.includes("财务负责人")) return "office";
  const granted = core.grants.store
    .ofGrantee(person.id)
    .some((grant) => grant.unitTin === tin && grantStatus(grant, date) === "有效");
  return granted ? "grant" : null;
}
