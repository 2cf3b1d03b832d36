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

/**
 * Who manages which unit: offices from tax registration (matched by document and name) and
 * 管理权限 grants. Each answer reads only the rows of the one person and unit it is about.
 */
export function managers(people: PeopleStore, units: UnitsStore, grants: GrantsStore) {
  /** The person's offices at the unit on that date. */
  const officeRoles = async (person: Person, tin: string, date: string): Promise<OfficeRole[]> =>
    (await units.officesAt(person.docType, person.docNumber, tin))
      .filter((office) => office.name === person.name && inOffice(office, date))
      .map((office) => office.role);

  /** The person's 有效 grants at the unit on that date (at most one stands at a time). */
  const activeGrants = async (personId: string, tin: string, date: string): Promise<Grant[]> =>
    (await grants.liveOfPair(personId, tin, date)).filter((grant) => grantStatus(grant, date) === "有效");

  async function authority(person: Person, tin: string, date: string): Promise<Authority> {
    const [active, offices] = await Promise.all([activeGrants(person.id, tin, date), officeRoles(person, tin, date)]);
    const managementGrant = active.find((g) => g.permission === "管理权限") ?? null;
    const roles = new Set<ManagerRole>(offices);
    if (managementGrant) roles.add("管理权限");
    return { roles: ROLE_ORDER.filter((role) => roles.has(role)), managementGrant };
  }

  /** Registered people holding the unit's offices (法定代表人, 财务负责人) on that date. */
  async function officerIds(tin: string, date: string): Promise<string[]> {
    const ids = new Set<string>();
    for (const office of await units.officers(tin)) {
      if (!inOffice(office, date)) continue;
      const person = await people.byDocument(office.docType, office.docNumber);
      if (person && person.name === office.name) ids.add(person.id);
    }
    return [...ids];
  }

  return {
    authority,
    officeRoles,
    activeGrants,
    officerIds,

    /** Registered people who manage the unit on that date (they see its changes live). */
    managerIds: async (tin: string, date: string): Promise<string[]> => [
      ...new Set([...(await officerIds(tin, date)), ...(await grants.managementGranteeIds(tin, date))]),
    ],
  };
}

export type Managers = ReturnType<typeof managers>;
