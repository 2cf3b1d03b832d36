/**
 * End to end, in a real Chromium with the built extension: the companion is stopped, and the native
 * messaging host `taxauth service install` registers is registered in the test's profile (Chromium
 * with --user-data-dir reads <user-data-dir>/NativeMessagingHosts on Linux). Opening the popup
 * starts the companion through the host — the real built `taxauth start`, on the test's data dir,
 * port and keychain, which the launcher script carries — and the popup reconnects and logs in.
 * Needs `npm run build` first; `npm test` does it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { companionAnswers } from "../../companion/service/companion-answers.js";
import { writeNativeHost } from "../../companion/service/install.js";
import { packageFiles } from "../../companion/service/places.js";
import { EXTENSION_ID, NATIVE_HOST_NAME } from "../../shared/extension-identity.js";
import { maskPersonName } from "../../shared/identity/account-rules.js";
import {
  explainTimeout,
  type LaunchedBrowser,
  launchBrowser,
  logInOnPopup,
  openExtensionPage,
  requireBuiltExtension,
  shot,
  waitForText,
} from "../support/browser.js";
import { startCompanion, TEST_KEYCHAIN_SERVICE } from "../support/companion.js";
import { newPerson, registerPerson, type TestPerson } from "../support/people.js";

const repoRoot = join(import.meta.dirname, "..", "..");
const files = packageFiles(repoRoot, "linux");
const dataDir = mkdtempSync(join(tmpdir(), "taxauth-e2e-on-demand-"));
const hostLog = join(dataDir, "host-logs", "native-host.log");
const failOnce = join(dataDir, "fail-once");
/** The companion the host started last: it runs on its own, the test stops it as a service manager would. */
const startedPid = () => Number([...readFileSync(hostLog, "utf8").matchAll(/started pid=(\d+)/g)].at(-1)?.[1]);

let launched: LaunchedBrowser;
let person: TestPerson;
let url: string;

beforeAll(async () => {
  requireBuiltExtension();
  if (!existsSync(files.nativeHost)) throw new Error("the companion is not built: run `npm run build:companion` first");
  // Someone registered once; then the companion stopped (the computer restarted, say).
  const first = await startCompanion({ dataDir });
  person = await registerPerson(first, newPerson({ name: "宋晓明" }));
  url = first.url;
  const { port, databaseUrl } = first;
  await first.close();

  launched = await launchBrowser({ companionUrl: url });
  writeNativeHost(
    {
      hostLauncher: join(dataDir, "native-host.sh"),
      hosts: [
        {
          browser: "Chromium",
          manifestPath: join(launched.userDataDir, "NativeMessagingHosts", `${NATIVE_HOST_NAME}.json`),
        },
      ],
      logDir: join(dataDir, "host-logs"),
    },
    {
      platform: "linux",
      node: process.execPath,
      nativeHost: files.nativeHost,
      // This test run's keyring (with-keyring.sh --isolated), data dir, port and keychain service.
      env: {
        TAXAUTH_PORT: String(port),
        TAXAUTH_DATA_DIR: dataDir,
        TAXAUTH_KEYCHAIN_SERVICE: TEST_KEYCHAIN_SERVICE,
        TAXAUTH_LOG_LEVEL: "warn",
        TAXAUTH_KEYRING: process.env.TAXAUTH_KEYRING ?? "private",
        DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS ?? "",
        ...(databaseUrl ? { TAXAUTH_DATABASE_URL: databaseUrl } : {}),
      },
      // The real `taxauth start`, failing once instead whenever the test leaves a marker (below).
      start: [
        "/bin/sh",
        "-c",
        `if [ -e "$0" ]; then rm "$0"; exit 1; fi; exec "$1" "$2" start`,
        failOnce,
        process.execPath,
        join(repoRoot, "bin", "taxauth.js"),
      ],
    },
    [EXTENSION_ID],
    () => null,
  );
});

afterAll(async () => {
  await launched?.close();
  if (existsSync(hostLog)) {
    process.kill(startedPid(), "SIGTERM");
    for (let i = 0; i < 100 && (await companionAnswers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the popup starts the companion through the native host", () => {
  let popup: Page;

  it("finds nothing at the address, starts the companion, reconnects and logs in", async () => {
    expect(await companionAnswers(url)).toBe(false);
    popup = await openExtensionPage(launched.browser, "popup.html", 360, 640);
    await waitForText(popup, '[data-testid="companion-offline"]', "本地服务未运行");
    await popup
      .waitForSelector('[data-testid="companion-offline"]', { hidden: true, timeout: 30_000 })
      .catch((error) => explainTimeout(popup, "the popup without its offline screen", error));
    expect(await companionAnswers(url)).toBe(true);
    expect(readFileSync(hostLog, "utf8")).toMatch(/started pid=\d+/);
    await logInOnPopup(popup, person);
    await shot(popup, "popup-started-on-demand.png");
  });

  it("says when the start failed, and starts it with one click on 启动本地服务", async () => {
    writeFileSync(failOnce, "");
    process.kill(startedPid(), "SIGTERM");
    // The popup hears its event socket close, and tries the host at once: that start fails.
    await waitForText(popup, '[data-testid="companion-start-state"]', "本地服务未能启动");
    expect(await popup.$eval('[data-testid="companion-start-state"]', (el) => el.textContent)).toContain(hostLog);
    await shot(popup, "popup-start-failed.png");
    expect(await companionAnswers(url)).toBe(false);
    await popup.click('[data-testid="companion-start"]');
    await popup
      .waitForSelector('[data-testid="companion-offline"]', { hidden: true, timeout: 30_000 })
      .catch((error) => explainTimeout(popup, "the popup back after 启动本地服务", error));
    // Still logged in: the session outlived the restart.
    await waitForText(popup, '[data-testid="person-name"]', maskPersonName(person.name));
  });
});
