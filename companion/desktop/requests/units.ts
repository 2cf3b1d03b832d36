import type { PeopleStore } from "../../accounts/people.js";
import { AppError } from "../../errors.js";
import type { Managers } from "../../grants/managers.js";
import type { UnitsStore } from "../../units/units.js";
import { directAccess } from "../access.js";
import type { DesktopConnection } from "../connection.js";
import type { UnitListService } from "../units-list.js";
import type { DesktopHandlers } from "./handlers.js";

export interface UnitListRequestDeps {
  unitLists: UnitListService;
  units: Pick<UnitsStore, "requireUnit">;
  people: Pick<PeopleStore, "byId">;
  managers: Managers;
  today: () => string;
}

/** 单位管理: the person's list of units, a page at a time, 添加 and the custom order. */
export function unitListRequests(
  deps: UnitListRequestDeps,
): DesktopHandlers<"units.list" | "units.add" | "units.order"> {
  const personOf = async (personId: string) => {
    const person = await deps.people.byId(personId);
    if (!person) throw new AppError("UNAUTHENTICATED");
    return person;
  };
  const loggedInPerson = async (connection: DesktopConnection) => personOf(await connection.requireLogin());

  return {
    "units.list": async (request, connection) => {
      const personId = await connection.requireLogin();
      // The person's record is read only when the page is not already kept.
      return deps.unitLists.page(personId, () => personOf(personId), deps.today(), request);
    },

    "units.add": async ({ tin }, connection) => {
      const person = await loggedInPerson(connection);
      const unit = await deps.units.requireUnit(tin);
      const position = await deps.unitLists.add(person.id, unit.tin);
      const access = await directAccess(deps.managers, person, unit.tin, deps.today());
      return { tin: unit.tin, position, unit: { ...unit, access: access ? "direct" : "password" } };
    },

    "units.order": async ({ tin, to }, connection) => ({
      tin,
      position: await deps.unitLists.move(await connection.requireLogin(), tin, to),
    }),
  };
}
