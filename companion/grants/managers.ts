import type { ManagerRole } from "../../shared/api/grants.js";
import type { PeopleStore, Person } from "../accounts/people.js";
import { inOffice, type OfficeRole, type UnitsStore } from "../units/units.js";
import { grantStatus } from "./status.js";
import type { Grant, GrantsStore } from "./store.js";

/** How a person may manage a unit on a date: their offices, and their 管理权限 grant if active. */
export interface Authority {
  roles: ManagerRole[];
  /** The active 管理权限 grant, when that is (also) how they manage. */
  managementGrant: Grant | null;
}

const ROLE_ORDER: ManagerRole[] = ["法定代表人", "财务负责人", "管理权限"];

/** Who manages which unit: offices from tax registration (matched by document) and 管理权限 grants. */
export function managers(people: PeopleStore, units: UnitsStore, grants: GrantsStore) {
  const officeRoles = (person: Person, tin: string, date: string): OfficeRole[] =>
    units
      .officesOf(person.docType, person.docNumber)
      .filter((office) => office.unitTin === tin && office.name === person.name && inOffice(office, date))
      .map((office) => office.role);

  const activeManagementGrant = (personId: string, tin: string, date: string): Grant | null =>
    grants
      .ofGrantee(personId)
      .find((g) => g.unitTin === tin && g.permission === "管理权限" && grantStatus(g, date) === "有效") ?? null;

  function authority(person: Person, tin: string, date: string): Authority {
    const managementGrant = activeManagementGrant(person.id, tin, date);
    const roles = new Set<ManagerRole>(officeRoles(person, tin, date));
    if (managementGrant) roles.add("管理权限");
    return { roles: ROLE_ORDER.filter((role) => roles.has(role)), managementGrant };
  }

  /** Registered people holding the unit's offices (法定代表人, 财务负责人) on that date. */
  function officerIds(tin: string, date: string): string[] {
    const ids = new Set<string>();
    for (const office of units.officers(tin)) {
      if (!inOffice(office, date)) continue;
      const person = people.byDocument(office.docType, office.docNumber);
      if (person && person.name === office.name) ids.add(person.id);
    }
    return [...ids];
  }

  return {
    authority,

    /** Units the person manages on that date, with their roles there. */
    managedUnits(person: Person, date: string): Array<{ tin: string; roles: ManagerRole[] }> {
      const tins = new Set<string>();
      for (const office of units.officesOf(person.docType, person.docNumber)) {
        if (office.name === person.name && inOffice(office, date)) tins.add(office.unitTin);
      }
      for (const grant of grants.ofGrantee(person.id)) {
        if (grant.permission === "管理权限" && grantStatus(grant, date) === "有效") tins.add(grant.unitTin);
      }
      return [...tins].sort().map((tin) => ({ tin, roles: authority(person, tin, date).roles }));
    },

    officerIds,

    /** Registered people who manage the unit on that date (they see its changes live). */
    managerIds(tin: string, date: string): string[] {
      const ids = new Set<string>(officerIds(tin, date));
      for (const grant of grants.ofUnit(tin)) {
        if (grant.permission === "管理权限" && grantStatus(grant, date) === "有效") ids.add(grant.granteeId);
      }
      return [...ids];
    },
  };
}

export type Managers = ReturnType<typeof managers>;
