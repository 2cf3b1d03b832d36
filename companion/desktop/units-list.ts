import type { Unit } from "../../shared/api/grants.js";
import type { DesktopResult } from "../../shared/desktop/protocol.js";
import type { Core } from "../core.js";
import { atomically, type Db } from "../db/database.js";
import { derivedCache } from "../db/derived-cache.js";
import { AppError } from "../errors.js";
import { type UnitRow, unitFromRow } from "../units/units.js";
import { directAccessOf } from "./access.js";

type UnitsList = DesktopResult<"units.list">;

/**
 * units.list is the desktop clients' most frequent request: each person's list is kept for the day
 * until the database changes (an exact cache, see derivedCache).
 */
export function unitsLists(core: Core): (personId: string) => UnitsList {
  const cache = derivedCache<UnitsList>(core.db);
  return (personId) => {
    const today = core.grants.today();
    return cache.get(`${personId} ${today}`, () => unitsList(core, personId, today));
  };
}

/**
 * 单位管理 for a person: the units they added, in their order, each saying whether they enter
 * directly (an active grant, or the office of 法定代表人/财务负责人) or with the 申报密码; and the
 * seed's totals line.
 */
function unitsList(core: Core, personId: string, date: string): UnitsList {
  const person = core.people.byId(personId);
  const access = person ? directAccessOf(core, person, date) : () => null;
  const units = core.desktopUnitLists
    .units(personId)
    .map((unit) => ({ ...unit, access: access(unit.tin) ? ("direct" as const) : ("password" as const) }));
  return {
    units,
    totals: {
      count: units.length,
      comprehensiveFiled: units.filter((u) => u.comprehensiveIncome === "已申报").length,
      businessFiled: units.filter((u) => u.businessIncome === "已申报").length,
    },
  };
}

/** Store of each person's 单位管理 list. */
export function desktopUnitLists(db: Db) {
  const tins = db.prepare("SELECT unit_tin FROM desktop_unit_lists WHERE person_id = ? ORDER BY position").pluck();
  const append = db.prepare(
    `INSERT OR IGNORE INTO desktop_unit_lists (person_id, unit_tin, position)
     VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM desktop_unit_lists WHERE person_id = ?))`,
  );
  const setPosition = db.prepare("UPDATE desktop_unit_lists SET position = ? WHERE person_id = ? AND unit_tin = ?");
  // One query for the whole list: 单位管理 is the desktop client's most frequent request.
  const units = db.prepare(
    `SELECT units.* FROM desktop_unit_lists JOIN units ON units.tin = desktop_unit_lists.unit_tin
     WHERE desktop_unit_lists.person_id = ? ORDER BY desktop_unit_lists.position`,
  );
  return {
    units: (personId: string): Unit[] => (units.all(personId) as UnitRow[]).map(unitFromRow),
    /** 设定为默认排序: the given order must name exactly the units on the list. */
    reorder(personId: string, order: string[]): void {
      const current = tins.all(personId) as string[];
      const same =
        order.length === current.length &&
        new Set(order).size === order.length &&
        order.every((t) => current.includes(t));
      if (!same)
        throw new AppError("VALIDATION_FAILED", 400, { fields: { tins: "排序应包含且只包含单位列表中的全部单位" } });
      atomically(db, () => {
        for (const [index, tin] of order.entries()) setPosition.run(index + 1, personId, tin);
      });
    },
    /** 添加: appends a unit to the person's list (once). */
    add: (personId: string, tin: string) => append.run(personId, tin, personId),
  };
}
