import type { PeopleStore } from "../../accounts/people.js";
import { AppError } from "../../errors.js";
import type { Managers } from "../../grants/managers.js";
import type { UnitsStore } from "../../units/units.js";
import { directAccess } from "../access.js";
import type { UnitListService } from "../units-list.js";
import type { DesktopHandlers } from "./handlers.js";

export interface UnitListRequestDeps {
  unitLists: UnitListService;
  units: Pick<UnitsStore, "requireUnit">;
  people: Pick<PeopleStore, "byId">;
  managers: Managers;
  today: () => string;
}

/** 单位管理: the person's list of units, a page at a time, 添加, 自定义排序 and 设定为默认排序. */
export function unitListRequests(
  deps: UnitListRequestDeps,
): DesktopHandlers<"units.list" | "units.add" | "units.order" | "units.order.save" | "units.order.reset"> {
  const personOf = async (personId: string) => {
    const person = await deps.people.byId(personId);
    if (!person) throw new AppError("UNAUTHENTICATED");
    return person;
  };

  return {
    "units.list": async (request, connection) => {
      const viewer = await connection.requireSession();
      // The person's record is read only when the page is not already kept.
      return deps.unitLists.page(viewer, () => personOf(viewer.personId), deps.today(), request);
    },

    "units.add": async ({ tin }, connection) => {
      const viewer = await connection.requireSession();
      const person = await personOf(viewer.personId);
      const unit = await deps.units.requireUnit(tin);
      const position = await deps.unitLists.add(viewer, unit.tin);
      const access = await directAccess(deps.managers, person, unit.tin, deps.today());
      return { tin: unit.tin, position, unit: { ...unit, access: access ? "direct" : "password" } };
    },

    "units.order": async ({ tin, to }, connection) => ({
      tin,
      position: await deps.unitLists.move(await connection.requireSession(), tin, to),
    }),

    "units.order.save": async (_request, connection) => {
      await deps.unitLists.saveAsDefault(await connection.requireSession());
      return {};
    },

    "units.order.reset": async (_request, connection) => {
      await deps.unitLists.backToDefault(await connection.requireSession());
      return {};
    },
  };
}
