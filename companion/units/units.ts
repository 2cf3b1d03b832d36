import { randomUUID } from "node:crypto";
import type { Unit } from "../../shared/api/grants.js";
import { addDays } from "../../shared/dates.js";
import type { DocumentType } from "../../shared/identity/documents.js";
import type { Db } from "../db/database.js";
import { AppError } from "../errors.js";

export type OfficeRole = "法定代表人" | "财务负责人";

export interface Officer {
  id: string;
  unitTin: string;
  role: OfficeRole;
  docType: DocumentType;
  docNumber: string;
  name: string;
  startDate: string;
  endDate: string | null;
}

export interface UnitRow {
  tin: string;
  name: string;
  departments: string;
  department_filing: Unit["departmentFiling"];
  comprehensive_income: Unit["comprehensiveIncome"];
  business_income: Unit["businessIncome"];
}

interface OfficerRow {
  id: string;
  unit_tin: string;
  role: OfficeRole;
  doc_type: DocumentType;
  doc_number: string;
  name: string;
  start_date: string;
  end_date: string | null;
}

export const unitFromRow = (row: UnitRow): Unit => ({
  tin: row.tin,
  name: row.name,
  departments: JSON.parse(row.departments) as string[],
  departmentFiling: row.department_filing,
  comprehensiveIncome: row.comprehensive_income,
  businessIncome: row.business_income,
});

const officerFromRow = (row: OfficerRow): Officer => ({
  id: row.id,
  unitTin: row.unit_tin,
  role: row.role,
  docType: row.doc_type,
  docNumber: row.doc_number,
  name: row.name,
  startDate: row.start_date,
  endDate: row.end_date,
});

/** True when the officer holds the office on that date (inclusive). */
export const inOffice = (officer: Pick<Officer, "startDate" | "endDate">, date: string) =>
  officer.startDate <= date && (officer.endDate === null || date <= officer.endDate);

/** Units and their officers, as recorded from tax registration. */
export function unitsStore(
  db: Db,
  now: () => number,
  recordChange: (tin: string, kind: "unit" | "office" | "local") => void,
) {
  const selectUnit = db.prepare("SELECT * FROM units WHERE tin = ?");
  const upsertUnit = db.prepare(
    `INSERT INTO units (tin, name, departments, department_filing, comprehensive_income, business_income, created_at)
     VALUES (@tin, @name, @departments, @departmentFiling, @comprehensiveIncome, @businessIncome, @createdAt)
     ON CONFLICT (tin) DO UPDATE SET name = excluded.name, departments = excluded.departments,
       department_filing = excluded.department_filing, comprehensive_income = excluded.comprehensive_income,
       business_income = excluded.business_income`,
  );
  const officersOfUnit = db.prepare("SELECT * FROM unit_officers WHERE unit_tin = ? ORDER BY role, start_date");
  const officersAt = db.prepare("SELECT * FROM unit_officers WHERE doc_type = ? AND doc_number = ? AND unit_tin = ?");
  const insertOfficer = db.prepare(
    `INSERT INTO unit_officers (id, unit_tin, role, doc_type, doc_number, name, start_date, end_date, created_at)
     VALUES (@id, @unitTin, @role, @docType, @docNumber, @name, @startDate, @endDate, @createdAt)`,
  );
  const endOfficer = db.prepare("UPDATE unit_officers SET end_date = ? WHERE id = ?");
  const selectLocal = db.prepare("SELECT local FROM units WHERE tin = ?").pluck();
  const updateLocal = db.prepare("UPDATE units SET local = ? WHERE tin = ?");

  const unit = (tin: string): Unit | null => {
    const row = selectUnit.get(tin) as UnitRow | undefined;
    return row ? unitFromRow(row) : null;
  };

  return {
    unit,
    requireUnit(tin: string): Unit {
      const found = unit(tin);
      if (!found) throw new AppError("UNIT_NOT_FOUND");
      return found;
    },
    saveUnit(value: Unit): void {
      upsertUnit.run({ ...value, departments: JSON.stringify(value.departments), createdAt: now() });
      recordChange(value.tin, "unit");
    },
    /** 本市单位: may enter with a CA certificate. */
    isLocal: (tin: string): boolean => selectLocal.get(tin) === 1,
    setLocal(tin: string, local: boolean): void {
      updateLocal.run(local ? 1 : 0, tin);
      recordChange(tin, "local");
    },
    officers: (tin: string): Officer[] => (officersOfUnit.all(tin) as OfficerRow[]).map(officerFromRow),
    /** The offices a document holder has held at one unit, whatever their dates. */
    officesAt: (docType: DocumentType, docNumber: string, tin: string): Officer[] =>
      (officersAt.all(docType, docNumber, tin) as OfficerRow[]).map(officerFromRow),
    /**
     * Records an officer from tax registration. A unit has one 法定代表人 at a time: the new one's
     * term ends the previous one's the day before. 财务负责人 may be several. Run in a transaction.
     */
    setOfficer(officer: Omit<Officer, "id">): Officer {
      if (officer.role === "法定代表人") {
        const dayBefore = addDays(officer.startDate, -1);
        for (const current of (officersOfUnit.all(officer.unitTin) as OfficerRow[]).map(officerFromRow)) {
          if (current.role === "法定代表人" && (current.endDate === null || current.endDate > dayBefore)) {
            endOfficer.run(dayBefore, current.id);
          }
        }
      }
      const saved = { ...officer, id: randomUUID() };
      insertOfficer.run({ ...saved, createdAt: now() });
      recordChange(officer.unitTin, "office");
      return saved;
    },
    endOfficer(officer: Pick<Officer, "id" | "unitTin">, endDate: string): void {
      endOfficer.run(endDate, officer.id);
      recordChange(officer.unitTin, "office");
    },
  };
}

export type UnitsStore = ReturnType<typeof unitsStore>;
