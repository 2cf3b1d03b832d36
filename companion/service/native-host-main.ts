import { DEFAULT_COMPANION_PORT } from "../../shared/extension-identity.js";
import { nativeHostSetup, runNativeHost } from "./native-host.js";

// The native messaging host (dist/taxauth/native-host.js), run by the browser through the launcher
// script `taxauth service install` wrote. Its stdout carries the protocol only.
const port = process.env.TAXAUTH_PORT || String(DEFAULT_COMPANION_PORT);
try {
  await runNativeHost(nativeHostSetup(process.env, `http://127.0.0.1:${port}`), process.stdin, process.stdout);
  process.exit(0);
} catch (error) {
  process.stderr.write(`taxauth native host: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
