import { randomInt } from "node:crypto";
import { AppError } from "../errors.js";
import type { Keychain } from "../keychain/keychain.js";
import { hashPassword, verifyPassword } from "../security/secrets.js";

/**
 * 申报密码: one per unit. Only its argon2id hash is kept, and only in the OS keychain — never in
 * SQLite, logs or responses. Without the keychain the operation fails and nothing changes.
 */
export function declarationPasswords(keychain: Keychain, instanceId: string) {
  const account = (tin: string) => `declaration:${instanceId}:${tin}`;
  const unavailable = () => new AppError("KEYCHAIN_UNAVAILABLE", 503);

  return {
    async set(tin: string, password: string): Promise<void> {
      const passwordHash = await hashPassword(password);
      await keychain.set(account(tin), passwordHash).catch(() => {
        throw unavailable();
      });
    },
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
