import type { PeopleStore } from "../../accounts/people.js";
import { AppError } from "../../errors.js";
import type { Managers } from "../../grants/managers.js";
import type { UnitsStore } from "../../units/units.js";
import { directAccess } from "../access.js";
import type { DesktopConnection } from "../connection.js";
import type { UnitListStore } from "../units-list.js";
import type { DesktopHandlers } from "./handlers.js";

export interface UnitListRequestDeps {
  unitLists: UnitListStore;
  units: Pick<UnitsStore, "requireUnit">;
  people: Pick<PeopleStore, "byId">;
  managers: Managers;
  today: () => string;
}

/** 单位管理: the person's list of units, a page at a time, 添加 and the custom order. */
export function unitListRequests(
  deps: UnitListRequestDeps,
): DesktopHandlers<"units.list" | "units.add" | "units.order"> {
  const personOf = (personId: string) => {
    const person = deps.people.byId(personId);
    if (!person) throw new AppError("UNAUTHENTICATED");
    return person;
  };
  const loggedInPerson = (connection: DesktopConnection) => personOf(connection.requireLogin());

  return {
    "units.list": (request, connection) => {
      const personId = connection.requireLogin();
      // The person's record is read only when the page is not already kept.
      return deps.unitLists.page(personId, () => personOf(personId), deps.today(), request);
    },

    "units.add": ({ tin }, connection) => {
      const person = loggedInPerson(connection);
      const unit = deps.units.requireUnit(tin);
      const position = deps.unitLists.add(person.id, unit.tin);
      const access = directAccess(deps.managers, person, unit.tin, deps.today());
      return { tin: unit.tin, position, unit: { ...unit, access: access ? "direct" : "password" } };
    },

    "units.order": ({ tin, to }, connection) => ({
      tin,
      position: deps.unitLists.move(connection.requireLogin(), tin, to),
    }),
  };
}
