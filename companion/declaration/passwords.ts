import { randomInt } from "node:crypto";
import type { Clock } from "../clock.js";
import type { Sql } from "../db/sql.js";
import { AppError } from "../errors.js";
import type { Keychain } from "../keychain/keychain.js";
import { hashPassword, verifyPassword } from "../security/secrets.js";

/** The attempt-guard subject of one person's 申报密码 tries at one unit. */
export const declarationSubject = (personId: string, tin: string) => `declaration:${personId}:${tin}`;

/**
 * 申报密码: one per unit. Only its argon2id hash is kept, and only in the OS keychain — never in
 * SQLite, logs or responses. Without the keychain the operation fails and nothing changes.
 */
export function declarationPasswords(
  sql: Sql,
  clock: Clock,
  keychain: Keychain,
  instanceId: string,
  recordChange: (tin: string, kind: "password") => Promise<void>,
) {
  const account = (tin: string) => `declaration:${instanceId}:${tin}`;
  const unavailable = () => new AppError("KEYCHAIN_UNAVAILABLE");

  return {
    /**
     * Sets (issues or resets) the password. Then the unit's lockouts are cleared and its version
     * moves on, which ends the unit sessions opened with the old password.
     */
    async set(tin: string, password: string): Promise<void> {
      const passwordHash = await hashPassword(password);
      await keychain.set(account(tin), passwordHash).catch(() => {
        throw unavailable();
      });
      await sql.transaction(async () => {
        await sql.run(
          `INSERT INTO declaration_password_versions (unit_tin, version, set_at) VALUES (?, 1, ?)
           ON CONFLICT (unit_tin) DO UPDATE SET version = declaration_password_versions.version + 1, set_at = excluded.set_at`,
          [tin, clock.now()],
        );
        await sql.run("DELETE FROM login_guards WHERE subject LIKE 'declaration:%:' || ?", [tin]);
        await recordChange(tin, "password");
      });
    },
    /** Changes with every set; 0 while none was ever set. */
    version: async (tin: string): Promise<number> =>
      (await sql.value<number>("SELECT version FROM declaration_password_versions WHERE unit_tin = ?", [tin])) ?? 0,
    async isSet(tin: string): Promise<boolean> {
      return (await keychain.get(account(tin)).catch(() => Promise.reject(unavailable()))) !== null;
    },
    async matches(tin: string, password: string): Promise<boolean> {
      const stored = await keychain.get(account(tin)).catch(() => Promise.reject(unavailable()));
      return stored !== null && verifyPassword(stored, password);
    },
  };
}

export type DeclarationPasswords = ReturnType<typeof declarationPasswords>;

const LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz";
const DIGITS = "23456789";

/** A 12-character password the hall hands out once: letters and digits, both present, no look-alikes. */
export function generateDeclarationPassword(): string {
  const all = LETTERS + DIGITS;
  const chars = [LETTERS[randomInt(LETTERS.length)], DIGITS[randomInt(DIGITS.length)]];
  while (chars.length < 12) chars.push(all[randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join("");
}
