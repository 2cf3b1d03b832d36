import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { DESKTOP_PATH } from "../../shared/desktop/protocol.js";
import { printedBy } from "./child-output.js";

const deskBin = join(import.meta.dirname, "..", "..", "bin", "taxauth-desk.js");

/** A running `taxauth-desk`: what it printed so far, and how it ended. */
export interface Desk {
  child: ChildProcess;
  /** Everything it printed, stdout and stderr. */
  output(): string;
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  exitCode: Promise<number | null>;
}

/**
 * Runs the built `taxauth-desk` against a companion as a person runs it, its client token kept in
 * `configDir`; `input` is what they type, a line per prompt. The child is added to `children` so
 * the test can kill what is left.
 */
export function runDesk(
  companion: { url: string },
  configDir: string,
  children: ChildProcess[],
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Desk {
  const child = spawn(process.execPath, [deskBin, "--config", join(configDir, "client.json"), ...args], {
    env: {
      ...process.env,
      TAXAUTH_URL: `${companion.url.replace("http", "ws")}${DESKTOP_PATH}`,
      TAXAUTH_DESK_PASSWORD: "",
      TAXAUTH_DESK_DECLARATION_PASSWORD: "",
      ...options.env,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.push(child);
  const output = printedBy(child);
  child.stdin?.end(options.input ?? "");
  const exitCode = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    child,
    output,
    exitCode,
    async waitFor(pattern) {
      for (let waited = 0; waited < 15_000; waited += 25) {
        const match = output().match(pattern);
        if (match) return match;
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`taxauth-desk never printed ${pattern}; it printed:\n${output()}`);
    },
  };
}
