import type { Person } from "../accounts/people.js";
import type { Core } from "../core.js";
import { grantStatus } from "../grants/status.js";
import { inOffice } from "../units/units.js";

/** How a person enters a unit without the 申报密码: by their office, or by an active grant. */
export type DirectAccess = "office" | "grant";

/**
 * 单位办税验证: the legal rep, finance managers and holders of an active grant enter directly. The
 * person's offices and grants are read once; the returned function answers for any unit.
 */
export function directAccessOf(core: Core, person: Person, date: string): (tin: string) => DirectAccess | null {
  const offices = new Set(
    core.units
      .officesOf(person.docType, person.docNumber)
      .filter((office) => office.name === person.name && inOffice(office, date))
      .map((office) => office.unitTin),
  );
  const granted = new Set(
    core.grants.store
      .ofGrantee(person.id)
      .filter((grant) => grantStatus(grant, date) === "有效")
      .map((grant) => grant.unitTin),
  );
  return (tin) => (offices.has(tin) ? "office" : granted.has(tin) ? "grant" : null);
}

export const directAccess = (core: Core, person: Person, tin: string, date: string): DirectAccess | null =>
  directAccessOf(core, person, date)(tin);
