import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import { KeychainUnavailableError } from "../keychain/keychain.js";
import type { SecretVault } from "../security/secret-vault.js";
import {
  DIGITS,
  handedOutPassword,
  hashPassword,
  LOWER_LETTERS,
  UPPER_LETTERS,
  verifyPassword,
} from "../security/secrets.js";
import type { DeclarationPasswordStore } from "./declaration-password-store.js";

/** The attempt-guard subject of one person's 申报密码 tries at one unit. */
export const declarationSubject = (personId: string, tin: string) => `declaration:${personId}:${tin}`;

export interface DeclarationPasswordDeps {
  store: DeclarationPasswordStore;
  clock: Clock;
  vault: SecretVault;
  recordChange: (tin: string, kind: "password") => Promise<void>;
}

/**
 * 申报密码: one per unit. Only its argon2id hash is kept, and only in the secret vault (the OS
 * keychain; in an office, sealed under the office key) — never in the clear in the database, logs
 * or responses. Without the keychain the operation fails and nothing changes.
 */
export function declarationPasswordService({ store, clock, vault, recordChange }: DeclarationPasswordDeps) {
  const name = (tin: string) => `declaration:${tin}`;
  const answered = <T>(work: Promise<T>) =>
    work.catch((error: unknown) =>
      Promise.reject(error instanceof KeychainUnavailableError ? new AppError("KEYCHAIN_UNAVAILABLE") : error),
    );

  return {
    /**
     * Sets (issues or resets) the password. Then the unit's lockouts are cleared and its version
     * moves on, which ends the unit sessions opened with the old password.
     */
    async set(tin: string, password: string): Promise<void> {
      const passwordHash = await hashPassword(password);
      await answered(vault.set(name(tin), passwordHash));
      await store.transaction(async () => {
        await store.bumpVersion(tin, clock.now());
        await store.clearLockouts(tin);
        await recordChange(tin, "password");
      });
    },
    /** Changes with every set; 0 while none was ever set. */
    version: store.version,
    async isSet(tin: string): Promise<boolean> {
      return (await answered(vault.get(name(tin)))) !== null;
    },
    async matches(tin: string, password: string): Promise<boolean> {
      const stored = await answered(vault.get(name(tin)));
      return stored !== null && verifyPassword(stored, password);
    },
  };
}

export type DeclarationPasswords = ReturnType<typeof declarationPasswordService>;

/** A 12-character password the hall hands out once: letters and digits, both present, no look-alikes. */
export const generateDeclarationPassword = (): string => handedOutPassword([UPPER_LETTERS + LOWER_LETTERS, DIGITS], 12);
