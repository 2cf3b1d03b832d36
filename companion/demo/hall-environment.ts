import type { CompanionConfig } from "../config.js";

/** A POSIX shell word that stands for `text` exactly. */
const shellWord = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * The shell lines that point the hall CLI (`taxauth hall …` in another terminal) at a demo
 * companion's data: its data dir, its OS keychain service and its database. Without them the CLI
 * uses the default data dir and keychain, and what it issues (a registration code, a 申报密码)
 * belongs to another store than the demo's.
 */
export function hallEnvironment(
  config: Pick<CompanionConfig, "dataDir" | "keychainService" | "databaseUrl">,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const lines = [
    `export TAXAUTH_DATA_DIR=${shellWord(config.dataDir)}`,
    `export TAXAUTH_KEYCHAIN_SERVICE=${shellWord(config.keychainService)}`,
    config.databaseUrl ? `export TAXAUTH_DATABASE_URL=${shellWord(config.databaseUrl)}` : "unset TAXAUTH_DATABASE_URL",
  ];
  // Without a desktop session the keychain is the demo's own (scripts/with-keyring.sh started a
  // private D-Bus session and gnome-keyring for it): the CLI must reach that very keyring daemon.
  if (env.TAXAUTH_KEYRING === "private" && env.DBUS_SESSION_BUS_ADDRESS) {
    lines.push(`export DBUS_SESSION_BUS_ADDRESS=${shellWord(env.DBUS_SESSION_BUS_ADDRESS)}`);
  }
  return lines;
}
