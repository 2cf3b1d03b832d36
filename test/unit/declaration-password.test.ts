import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../companion/db/database.js";
import { declarationPasswordStore } from "../../companion/declaration/declaration-password-store.js";
import { declarationPasswordService } from "../../companion/declaration/passwords.js";
import { AppError } from "../../companion/errors.js";
import type { Keychain } from "../../companion/keychain/keychain.js";
import { keychainVault } from "../../companion/security/secret-vault.js";
import { checkDeclarationPassword } from "../../shared/api/declaration.js";

describe("申报密码 policy", () => {
  it.each([
    ["Abcdef12", null],
    ["abcdefghijklmnopqr12", null],
    ["Abcde12", "申报密码长度应为8-20位"],
    ["abcdefghijklmnopqrs12", "申报密码长度应为8-20位"],
    ["abcdefgh", "申报密码须同时包含字母和数字"],
    ["12345678", "申报密码须同时包含字母和数字"],
    ["abcd1234!", "申报密码只能由字母和数字组成"],
    ["abcd 1234", "申报密码只能由字母和数字组成"],
    ["密码abcd1234", "申报密码只能由字母和数字组成"],
  ])("%s → %s", (password, expected) => expect(checkDeclarationPassword(password)).toBe(expected));
});

// The keychain cannot be made to fail on demand in a live session; a refusing stand-in shows the
// companion's answer: a stable error code, and the call never reports success.
it("fails with KEYCHAIN_UNAVAILABLE when the keychain refuses", async () => {
  const refusing: Keychain = {
    get: () => Promise.reject(new Error("no secret service")),
    set: () => Promise.reject(new Error("no secret service")),
    delete: () => Promise.reject(new Error("no secret service")),
  };
  const dir = mkdtempSync(join(tmpdir(), "taxauth-declaration-"));
  const sql = openDatabase(dir);
  const passwords = declarationPasswordService({
    store: declarationPasswordStore(sql),
    clock: { now: () => 0 },
    vault: keychainVault(refusing, "instance"),
    recordChange: async () => {},
  });
  for (const call of [
    () => passwords.set("T", "Abcdef12"),
    () => passwords.matches("T", "Abcdef12"),
    () => passwords.isSet("T"),
  ]) {
    await expect(call()).rejects.toSatisfy(
      (error: unknown) => error instanceof AppError && error.code === "KEYCHAIN_UNAVAILABLE",
    );
  }
  await sql.close();
  rmSync(dir, { recursive: true, force: true });
});
