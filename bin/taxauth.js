#!/usr/bin/env node
// Launcher. On Linux the CLI runs through scripts/with-keyring.sh, which uses the desktop's
// Secret Service when there is one and otherwise a private D-Bus session with gnome-keyring.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The bundle made by scripts/bundle-companion.mjs (npm run build).
const main = join(root, "dist", "taxauth", "main.js");

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
