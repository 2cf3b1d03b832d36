/**
 * End to end, in a real Chromium with the built extension: at the companion address answers a
 * companion of another protocol version (a stand-in: the real one speaks this build's). The popup
 * shows the mismatch screen with both versions instead of its view, and a full-tab page a banner
 * over disabled controls. Needs `npm run build:extension` first; `npm test` does it.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { PROTOCOL_VERSION } from "../../shared/protocol-version.js";
import { type LaunchedBrowser, launchBrowser, openExtensionPage, shot, waitForText } from "../support/browser.js";

const OTHER_PROTOCOL = PROTOCOL_VERSION + 1;
let server: Server;
let launched: LaunchedBrowser;

beforeAll(async () => {
  server = createServer((request, response) => {
    response.setHeader("access-control-allow-origin", EXTENSION_ORIGIN);
    response.setHeader("access-control-allow-headers", "authorization, content-type");
    if (request.url === "/healthz") {
      response.setHeader("content-type", "application/json");
      response.end(
        JSON.stringify({ status: "ok", version: "9.0.0", protocolVersion: OTHER_PROTOCOL, db: "ok", keychain: "ok" }),
      );
      return;
    }
    response.statusCode = request.url === "/livez" || request.method === "OPTIONS" ? 204 : 404;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  launched = await launchBrowser({ companionUrl: `http://127.0.0.1:${port}` });
});

afterAll(async () => {
  await launched?.close();
  await new Promise((resolve) => server?.close(resolve));
});

it("says the companion and the extension do not match, with both versions, in the popup and on a page", async () => {
  const popup = await openExtensionPage(launched.browser, "popup.html", 400, 600);
  const versions = await waitForText(popup, '[data-testid="version-mismatch-versions"]', "9.0.0");
  expect(versions).toContain(`协议 ${OTHER_PROTOCOL}`);
  expect(versions).toContain(`协议 ${PROTOCOL_VERSION}`);
  expect(await popup.$eval('[data-testid="version-mismatch"]', (el) => el.textContent)).toContain(
    "本地服务版本与浏览器扩展不匹配",
  );
  // The login form stays hidden beneath: nothing would work reliably.
  expect(await popup.$eval("main.popup-view", (el) => (el as HTMLElement).hidden)).toBe(true);
  await shot(popup, "version-mismatch-popup.png");

  const page = await openExtensionPage(launched.browser, "register.html", 1000, 800);
  await waitForText(page, '[data-testid="version-mismatch-versions"]', "9.0.0");
  expect(await page.$eval('[data-testid="page-content"]', (el) => el.matches(":disabled"))).toBe(true);
  await shot(page, "version-mismatch-page.png");
});
