/**
 * The Chrome/Edge extension origins the companion serves: the pinned development ID always, and
 * the store IDs it is told (TAXAUTH_EXTENSION_IDS) — on HTTP and on the WebSocket upgrades.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFromEnv } from "../../companion/config.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { api, type RunningCompanion, startCompanion } from "../support/companion.js";
import { openSocketAs } from "../support/origin-socket.js";

const STORE_ID = "abcdefghijklmnopabcdefghijklmnop";
const UNLISTED_ID = "ponmlkjihgfedcbaponmlkjihgfedcba";

let companion: RunningCompanion;
beforeAll(async () => {
  companion = await startCompanion({ extensionIds: [STORE_ID] });
});
afterAll(() => companion.close());

describe("extension ID allowlist", () => {
  it("serves a listed store ID's origin and the development ID's, and refuses an unlisted one", async () => {
    for (const origin of [`chrome-extension://${STORE_ID}`, EXTENSION_ORIGIN]) {
      const answer = await api(companion, "/livez", { headers: { origin } });
      expect(answer.status, origin).toBe(204);
      const preflight = await fetch(`${companion.url}/api/login`, { method: "OPTIONS", headers: { origin } });
      expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    }
    const refused = await api(companion, "/livez", { headers: { origin: `chrome-extension://${UNLISTED_ID}` } });
    expect(refused).toMatchObject({ status: 403, body: { code: "FORBIDDEN_ORIGIN" } });
  });

  it("opens the sockets for a listed origin only", async () => {
    expect(await openSocketAs(companion, `chrome-extension://${STORE_ID}`)).toBe("open");
    expect(await openSocketAs(companion, EXTENSION_ORIGIN)).toBe("open");
    expect(await openSocketAs(companion, `chrome-extension://${UNLISTED_ID}`)).toBe(403);
  });

  it("refuses to start on a malformed ID, in Chinese", () => {
    expect(configFromEnv({ TAXAUTH_EXTENSION_IDS: ` ${STORE_ID} , ${UNLISTED_ID}` }).extensionOrigins).toEqual([
      EXTENSION_ORIGIN,
      `chrome-extension://${STORE_ID}`,
      `chrome-extension://${UNLISTED_ID}`,
    ]);
    for (const bad of ["abc", STORE_ID.toUpperCase(), `${STORE_ID}q`, `chrome-extension://${STORE_ID}`]) {
      expect(() => configFromEnv({ TAXAUTH_EXTENSION_IDS: bad }), bad).toThrow(/TAXAUTH_EXTENSION_IDS 无效/);
    }
  });
});
