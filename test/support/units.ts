import type { OfficeRole, Officer } from "../../companion/units/units.js";
import type { Unit } from "../../shared/api/grants.js";
import { gb32100CheckChar } from "../../shared/identity/tin.js";
import type { RunningCompanion } from "./companion.js";
import type { TestPerson } from "./people.js";

let serial = 0;

/** A valid, unique 统一社会信用代码 (企业, 广州市). */
export function newTin(): string {
  serial += 1;
  const first17 = `91440101MA${String(Date.now() % 1e4).padStart(4, "0")}${String(serial).padStart(3, "0")}`;
  return first17 + gb32100CheckChar(first17);
}

/** Registers a unit through the same store the hall CLI uses. */
export async function addUnit(companion: RunningCompanion, overrides: Partial<Unit> = {}): Promise<Unit> {
  const unit: Unit = {
    tin: newTin(),
    name: `广东QJ测试单位${serial}`,
    departments: [],
    departmentFiling: "未备案",
    comprehensiveIncome: "待申报",
    businessIncome: "",
    ...overrides,
  };
  await companion.app.core.units.saveUnit(unit);
  return unit;
}

/** Records a person as 法定代表人 or 财务负责人 of a unit, as the hall officer does. */
export function setOfficer(
  companion: RunningCompanion,
  officer: {
    tin: string;
    role: OfficeRole;
    person: Pick<TestPerson, "docType" | "docNumber" | "name">;
    startDate?: string;
    endDate?: string | null;
  },
): Promise<Officer> {
  return companion.app.core.units.setOfficer({
    unitTin: officer.tin,
    role: officer.role,
    docType: officer.person.docType,
    docNumber: officer.person.docNumber,
    name: officer.person.name,
    startDate: officer.startDate ?? "2020-01-01",
    endDate: officer.endDate ?? null,
  });
}
