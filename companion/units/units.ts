import { randomUUID } from "node:crypto";
import type { Unit } from "../../shared/api/grants.js";
import { addDays } from "../../shared/dates.js";
import type { DocumentType } from "../../shared/identity/documents.js";
import type { Sql } from "../db/sql.js";
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

const OFFICERS_OF_UNIT = "SELECT * FROM unit_officers WHERE unit_tin = ? ORDER BY role, start_date";
const END_OFFICER = "UPDATE unit_officers SET end_date = ? WHERE id = ?";

/** Units and their officers, as recorded from tax registration. */
export function unitsStore(
  sql: Sql,
  now: () => number,
  recordChange: (tin: string, kind: "unit" | "office" | "local") => Promise<void>,
) {
  const unit = async (tin: string): Promise<Unit | null> => {
    const row = await sql.one<UnitRow>("SELECT * FROM units WHERE tin = ?", [tin]);
    return row ? unitFromRow(row) : null;
  };
  const officers = async (tin: string): Promise<Officer[]> =>
    (await sql.all<OfficerRow>(OFFICERS_OF_UNIT, [tin])).map(officerFromRow);

  return {
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
    unit,
    async requireUnit(tin: string): Promise<Unit> {
      const found = await unit(tin);
      if (!found) throw new AppError("UNIT_NOT_FOUND");
      return found;
    },
    /** Records a unit (or its new details); run in a transaction with related writes. */
    async saveUnit(value: Unit): Promise<void> {
      await sql.run(
        `INSERT INTO units (tin, name, departments, department_filing, comprehensive_income, business_income, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tin) DO UPDATE SET name = excluded.name, departments = excluded.departments,
           department_filing = excluded.department_filing, comprehensive_income = excluded.comprehensive_income,
           business_income = excluded.business_income`,
        [
          value.tin,
          value.name,
          JSON.stringify(value.departments),
          value.departmentFiling,
          value.comprehensiveIncome,
          value.businessIncome,
          now(),
        ],
      );
      await recordChange(value.tin, "unit");
    },
    /** 本市单位: may enter with a CA certificate. */
    isLocal: async (tin: string): Promise<boolean> =>
      (await sql.value<number>("SELECT local FROM units WHERE tin = ?", [tin])) === 1,
    async setLocal(tin: string, local: boolean): Promise<void> {
      await sql.transaction(async () => {
        await sql.run("UPDATE units SET local = ? WHERE tin = ?", [local ? 1 : 0, tin]);
        await recordChange(tin, "local");
      });
    },
    officers,
    /** The offices a document holder has held at one unit, whatever their dates. */
    officesAt: async (docType: DocumentType, docNumber: string, tin: string): Promise<Officer[]> =>
      (
        await sql.all<OfficerRow>(
          "SELECT * FROM unit_officers WHERE doc_type = ? AND doc_number = ? AND unit_tin = ?",
          [docType, docNumber, tin],
        )
      ).map(officerFromRow),
    /**
     * Records an officer from tax registration. A unit has one 法定代表人 at a time: the new one's
     * term ends the previous one's the day before. 财务负责人 may be several.
     */
    setOfficer(officer: Omit<Officer, "id">): Promise<Officer> {
      return sql.transaction(async () => {
        if (officer.role === "法定代表人") {
          const dayBefore = addDays(officer.startDate, -1);
          for (const current of await officers(officer.unitTin)) {
            if (current.role === "法定代表人" && (current.endDate === null || current.endDate > dayBefore)) {
              await sql.run(END_OFFICER, [dayBefore, current.id]);
            }
          }
        }
        const saved = { ...officer, id: randomUUID() };
        await sql.run(
          `INSERT INTO unit_officers (id, unit_tin, role, doc_type, doc_number, name, start_date, end_date, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            saved.id,
            saved.unitTin,
            saved.role,
            saved.docType,
            saved.docNumber,
            saved.name,
            saved.startDate,
            saved.endDate,
            now(),
          ],
        );
        await recordChange(officer.unitTin, "office");
        return saved;
      });
    },
    endOfficer(officer: Pick<Officer, "id" | "unitTin">, endDate: string): Promise<void> {
      return sql.transaction(async () => {
        await sql.run(END_OFFICER, [endDate, officer.id]);
        await recordChange(officer.unitTin, "office");
      });
    },
  };
}

export type UnitsStore = ReturnType<typeof unitsStore>;
