import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { build } from "wxt";
import { EXTENSION_PUBLIC_KEY, FIREFOX_EXTENSION_ID } from "../../shared/extension-identity.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };

async function manifestIn(zip: string): Promise<Record<string, unknown>> {
  const { stdout } = await run("unzip", ["-p", zip, "manifest.json"]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe("npm run package", () => {
  const devOut = mkdtempSync(join(tmpdir(), "taxauth-dev-build-"));
  afterAll(() => rmSync(devOut, { recursive: true, force: true }));

  it("zips the store builds for Chrome/Edge (no key) and Firefox (its gecko ID), named with the version", async () => {
    await run("npm", ["run", "package"], { cwd: root });
    const chrome = await manifestIn(join(root, ".output", `taxauth-${version}-chrome.zip`));
    expect(chrome.version).toBe(version);
    expect(chrome.manifest_version).toBe(3);
    // The Chrome Web Store assigns the ID and refuses a manifest key.
    expect(chrome).not.toHaveProperty("key");
    expect(chrome.background).toEqual({ service_worker: "background.js" });

    const firefox = await manifestIn(join(root, ".output", `taxauth-${version}-firefox.zip`));
    expect(firefox.version).toBe(version);
    expect(firefox.manifest_version).toBe(3);
    expect(firefox).not.toHaveProperty("key");
    expect(firefox.browser_specific_settings).toMatchObject({ gecko: { id: FIREFOX_EXTENSION_ID } });
    // Firefox runs MV3 backgrounds as event pages, not service workers.
    expect(firefox.background).toEqual({ scripts: ["background.js"] });
  }, 180_000);

  it("keeps the pinned key in the development build, so its ID stays the one the companion trusts", async () => {
    await build({
      root,
      outDir: devOut,
      logger: { ...console, debug() {}, info() {}, success() {}, log() {} } as never,
    });
    const manifest = JSON.parse(readFileSync(join(devOut, "chrome-mv3", "manifest.json"), "utf8")) as { key?: string };
    expect(manifest.key).toBe(EXTENSION_PUBLIC_KEY);
  }, 180_000);
});
