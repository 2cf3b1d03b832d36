#!/usr/bin/env node
// Launcher. On Linux the companion needs a Secret Service on the session bus for its key: a
// desktop's (GNOME Keyring, KWallet) when there is one; otherwise the command runs through
// scripts/with-keyring.sh, which starts a private D-Bus session with gnome-keyring. Elsewhere
// (macOS Keychain, Windows Credential Vault) it runs as is; nothing here needs bash there.
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The bundle made by scripts/bundle-companion.mjs (npm run build).
const main = join(root, "dist", "taxauth", "main.js");

/** Whether the session bus offers org.freedesktop.secrets, running or activatable. */
function secretServiceOnBus() {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) return false;
  return ["ListNames", "ListActivatableNames"].some(
    (method) =>
      spawnSync(
        "dbus-send",
        [
          "--session",
          "--print-reply",
          "--dest=org.freedesktop.DBus",
          "/org/freedesktop/DBus",
          `org.freedesktop.DBus.${method}`,
        ],
        { encoding: "utf8" },
      ).stdout?.includes('"org.freedesktop.secrets"') === true,
  );
}

if (process.platform === "linux" && !process.env.TAXAUTH_KEYRING && secretServiceOnBus()) {
  process.env.TAXAUTH_KEYRING = "system";
}
if (process.platform === "linux" && !process.env.TAXAUTH_KEYRING) {
  const child = spawn(
    "bash",
    [join(root, "scripts", "with-keyring.sh"), process.execPath, main, ...process.argv.slice(2)],
    {
      stdio: "inherit",
    },
  );
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await import(main);
}
