import { type Keychain, KeychainUnavailableError } from "../keychain/keychain.js";

/**
 * Where the companion keeps the secrets its data is checked against (the short-code pepper, the
 * audit chain's head, each unit's 申报密码 hash), by name: `pepper`, `audit-head`,
 * `declaration:<tin>`. On one machine that is the OS keychain; in an office, the shared database,
 * sealed under the office key.
 */
export interface SecretVault {
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  /** The value kept under `name`, or `create()`'s, kept now — one value even when two start at once. */
  getOrCreate(name: string, create: () => string): Promise<string>;
}

/**
 * The OS keychain, one account per name and data dir: `pepper:<instance>`, `audit-head:<instance>`,
 * `declaration:<instance>:<tin>` (the instance goes after the first part of the name, as accounts
 * were always named).
 */
export function keychainVault(keychain: Keychain, instanceId: string): SecretVault {
  const account = (name: string) => {
    const [kind, ...rest] = name.split(":");
    return [kind, instanceId, ...rest].join(":");
  };
  // A keychain that cannot answer is reported with how to fix it.
  const reported = <T>(work: Promise<T>) =>
    work.catch((error: unknown) => Promise.reject(new KeychainUnavailableError(error)));
  return {
    get: (name) => reported(keychain.get(account(name))),
    set: (name, value) => reported(keychain.set(account(name), value)),
    async getOrCreate(name, create) {
      const found = await reported(keychain.get(account(name)));
      if (found) return found;
      const value = create();
      await reported(keychain.set(account(name), value));
      return value;
    },
  };
}
