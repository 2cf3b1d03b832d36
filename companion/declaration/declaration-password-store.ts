import type { Sql } from "../db/sql.js";

/**
 * Store queries for 申报密码 in the database: each unit's password version (the hash itself is in
 * the OS keychain, never here) and the unit's 申报密码 lockout rows.
 */
export function declarationPasswordStore(sql: Sql) {
  const bumpVersion = `INSERT INTO declaration_password_versions (unit_tin, version, set_at) VALUES (?, 1, ?)
     ON CONFLICT (unit_tin) DO UPDATE SET version = declaration_password_versions.version + 1, set_at = excluded.set_at`;
  const version = "SELECT version FROM declaration_password_versions WHERE unit_tin = ?";
  // Every person's guard at the unit: subjects are `declaration:<person>:<纳税人识别号>` (declarationSubject).
  const clearLockouts = "DELETE FROM login_guards WHERE subject LIKE 'declaration:%:' || ?";
  const clearUnitFailures = "DELETE FROM declaration_unit_failures WHERE unit_tin = ?";
  const clearUnitGuard = "DELETE FROM declaration_unit_guards WHERE unit_tin = ?";

  return {
    transaction: <T>(fn: () => Promise<T>) => sql.transaction(fn),
    /** Moves the unit's version on (to 1 the first time), set at `at`. */
    bumpVersion: (tin: string, at: number) => sql.run(bumpVersion, [tin, at]),
    /** The unit's version; 0 while none was ever set. */
    version: async (tin: string) => (await sql.value<number>(version, [tin])) ?? 0,
    /** Forgets every person's failed tries at the unit, and the unit-wide count (reopening it). */
    async clearLockouts(tin: string): Promise<void> {
      await sql.run(clearLockouts, [tin]);
      await sql.run(clearUnitFailures, [tin]);
      await sql.run(clearUnitGuard, [tin]);
    },
  };
}

export type DeclarationPasswordStore = ReturnType<typeof declarationPasswordStore>;
