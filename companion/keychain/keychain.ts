import { randomBytes } from "node:crypto";
import keytar from "keytar";

/** The OS keychain (Secret Service, macOS Keychain, Windows Credential Vault) under one service name. */
export interface Keychain {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

export function osKeychain(service: string): Keychain {
  return {
    get: (account) => keytar.getPassword(service, account),
    set: (account, secret) => keytar.setPassword(service, account, secret),
    delete: (account) => keytar.deletePassword(service, account),
  };
}

/**
 * Deletes every item of `service` kept for the data dir `instance` (accounts are named
 * `<kind>:<instance>:…`): what a throwaway companion leaves once it is gone.
 */
export async function forgetInstance(service: string, instance: string): Promise<void> {
  for (const { account } of await keytar.findCredentials(service)) {
    if (account.split(":")[1] === instance) await keytar.deletePassword(service, account);
  }
}

export const KEYCHAIN_FIX_HINT = [
  "无法访问系统钥匙串 (OS keychain)，taxauth 不会以明文保存密钥，因此拒绝启动。",
  "How to fix:",
  "  • Linux 桌面：确认 gnome-keyring 或其它 Secret Service 正在运行并已解锁；",
  "  • 无桌面的 Linux：使用 `npm start`，或 `bash scripts/with-keyring.sh taxauth start`，它会启动私有 D-Bus 会话和已解锁的 gnome-keyring；",
  "  • 缺少软件包：sudo apt-get install gnome-keyring dbus libsecret-1-0。",
].join("\n");

export class KeychainUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`${KEYCHAIN_FIX_HINT}\n(${cause instanceof Error ? cause.message : String(cause)})`);
    this.name = "KeychainUnavailableError";
  }
}

/** A real write, read and delete of a throwaway item: proves the keychain works right now. */
export async function probeKeychain(keychain: Keychain): Promise<void> {
  const account = `probe:${randomBytes(8).toString("hex")}`;
  const value = randomBytes(16).toString("hex");
  await keychain.set(account, value);
  try {
    const read = await keychain.get(account);
    if (read !== value) throw new Error("keychain returned a different value");
  } finally {
    await keychain.delete(account);
  }
}
