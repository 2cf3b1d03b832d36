import { randomInt } from "node:crypto";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import type { Keychain } from "../keychain/keychain.js";
import { hashPassword, verifyPassword } from "../security/secrets.js";
import type { DeclarationPasswordStore } from "./declaration-password-store.js";

/** The attempt-guard subject of one person's 申报密码 tries at one unit. */
export const declarationSubject = (personId: string, tin: string) => `declaration:${personId}:${tin}`;

export interface DeclarationPasswordDeps {
  store: DeclarationPasswordStore;
  clock: Clock;
  keychain: Keychain;
  instanceId: string;
  recordChange: (tin: string, kind: "password") => Promise<void>;
}

/**
 * 申报密码: one per unit. Only its argon2id hash is kept, and only in the OS keychain — never in
 * SQLite, logs or responses. Without the keychain the operation fails and nothing changes.
 */
export function declarationPasswordService({
  store,
  clock,
  keychain,
  instanceId,
  recordChange,
}: DeclarationPasswordDeps) {
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
      await store.transaction(async () => {
        await store.bumpVersion(tin, clock.now());
        await store.clearLockouts(tin);
        await recordChange(tin, "password");
      });
    },
    /** Changes with every set; 0 while none was ever set. */
    version: store.version,
    async isSet(tin: string): Promise<boolean> {
      return (await keychain.get(account(tin)).catch(() => Promise.reject(unavailable()))) !== null;
    },
    async matches(tin: string, password: string): Promise<boolean> {
      const stored = await keychain.get(account(tin)).catch(() => Promise.reject(unavailable()));
      return stored !== null && verifyPassword(stored, password);
    },
  };
}

export type DeclarationPasswords = ReturnType<typeof declarationPasswordService>;

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
