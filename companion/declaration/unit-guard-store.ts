import { forUpdateSql } from "../db/dialect.js";
import type { Sql } from "../db/sql.js";

/** A unit's 申报密码 state across all people: whether its password path is closed, and the last alerts. */
export interface UnitGuard {
  closedUntil: number | null;
  closedBy: string | null;
  alertedAt: number | null;
  closureAlertedFor: number | null;
}

interface UnitGuardRow {
  closed_until: number | null;
  closed_by: string | null;
  alerted_at: number | null;
  closure_alerted_for: number | null;
}

const SELECT =
  "SELECT closed_until, closed_by, alerted_at, closure_alerted_for FROM declaration_unit_guards WHERE unit_tin = ?";
// A row of nulls counts the same as no row; it gives a unit's first try a row to lock.
const ENSURE = "INSERT INTO declaration_unit_guards (unit_tin) VALUES (?) ON CONFLICT (unit_tin) DO NOTHING";
const PRUNE = "DELETE FROM declaration_unit_failures WHERE unit_tin = ? AND at <= ?";
const INSERT_FAILURE = "INSERT INTO declaration_unit_failures (id, unit_tin, at) VALUES (?, ?, ?)";
const FAILURES_SINCE = "SELECT COUNT(*) FROM declaration_unit_failures WHERE unit_tin = ? AND at > ?";
const DROP_FAILURE = "DELETE FROM declaration_unit_failures WHERE id = ?";
const CLOSE = "UPDATE declaration_unit_guards SET closed_until = ?, closed_by = ? WHERE unit_tin = ?";
const REOPEN_IF_CLOSED_BY =
  "UPDATE declaration_unit_guards SET closed_until = NULL, closed_by = NULL WHERE unit_tin = ? AND closed_by = ?";
const MARK_ALERTED = "UPDATE declaration_unit_guards SET alerted_at = ?, closure_alerted_for = ? WHERE unit_tin = ?";

/** Store queries for the unit-wide 申报密码 counter: the failures of the last hour and the closing. */
export function declarationUnitGuardStore(sql: Sql) {
  const locked = SELECT + forUpdateSql(sql.dialect);
  const guardFrom = (row: UnitGuardRow | undefined): UnitGuard => ({
    closedUntil: row?.closed_until ?? null,
    closedBy: row?.closed_by ?? null,
    alertedAt: row?.alerted_at ?? null,
    closureAlertedFor: row?.closure_alerted_for ?? null,
  });
  return {
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
    guardOf: async (tin: string) => guardFrom(await sql.one<UnitGuardRow>(SELECT, [tin])),
    /**
     * The unit's state, read to decide a try inside the transaction that counts it: its row is
     * locked until that transaction ends, so a try on another companion waits for this one's count.
     */
    async lockedGuardOf(tin: string): Promise<UnitGuard> {
      await sql.run(ENSURE, [tin]);
      return guardFrom(await sql.one<UnitGuardRow>(locked, [tin]));
    },
    /** Forgets the unit's failures at or before `before`: they no longer count. */
    prune: (tin: string, before: number) => sql.run(PRUNE, [tin, before]),
    insertFailure: (id: string, tin: string, at: number) => sql.run(INSERT_FAILURE, [id, tin, at]),
    failuresSince: async (tin: string, since: number) => (await sql.value<number>(FAILURES_SINCE, [tin, since])) ?? 0,
    dropFailure: (id: string) => sql.run(DROP_FAILURE, [id]),
    close: (tin: string, until: number, byFailure: string) => sql.run(CLOSE, [until, byFailure, tin]),
    /** Lifts the closing if it was `failure`'s doing. */
    reopenIfClosedBy: (tin: string, failure: string) => sql.run(REOPEN_IF_CLOSED_BY, [tin, failure]),
    markAlerted: (tin: string, at: number, closureAlertedFor: number | null) =>
      sql.run(MARK_ALERTED, [at, closureAlertedFor, tin]),
  };
}

export type DeclarationUnitGuardStore = ReturnType<typeof declarationUnitGuardStore>;
