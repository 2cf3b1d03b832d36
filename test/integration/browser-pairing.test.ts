/**
 * Trusting a Firefox install by pairing its browser, over real sockets: its moz-extension://<uuid>
 * origin is refused as BROWSER_NOT_TRUSTED (readably, so the popup can offer to pair) until a
 * `taxauth browser approve <code>` process on the same data dir, or a person in a trusted browser,
 * confirms the code it shows; revoked, it is refused again. Pending requests are capped.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { BROWSER_PAIR_REQUESTS_PER_MINUTE, BROWSER_PAIRING_MAX_PENDING } from "../../shared/api/browsers.js";
import { api, manualClock, type RunningCompanion, runCli, startCompanion } from "../support/companion.js";
import { openSocketAs } from "../support/origin-socket.js";
import { loginToken, registerPerson } from "../support/people.js";

const started: RunningCompanion[] = [];
afterEach(async () => {
  for (const companion of started.splice(0)) await companion.close();
});
async function companionFor(options: Parameters<typeof startCompanion>[0] = {}) {
  const companion = await startCompanion(options);
  started.push(companion);
  return companion;
}

const firefoxOrigin = () => `moz-extension://${randomUUID()}`;
const asBrowser = (origin: string) => ({ headers: { origin } });
const askToPair = (companion: RunningCompanion, origin: string) =>
  api(companion, "/api/browser-pairings", { body: {}, ...asBrowser(origin) });
const cli = (companion: RunningCompanion, ...args: string[]) =>
  runCli(["browser", ...args], { dataDir: companion.dataDir, databaseUrl: companion.databaseUrl });

describe("browser pairing", () => {
  it("serves a Firefox origin once `taxauth browser approve` confirms its code, and refuses it once revoked", async () => {
    const companion = await companionFor();
    const origin = firefoxOrigin();
    const other = firefoxOrigin();

    const refused = await fetch(`${companion.url}/livez`, asBrowser(origin));
    expect(refused.status).toBe(403);
    // Readable by the extension: it offers to pair this browser.
    expect(refused.headers.get("access-control-allow-origin")).toBe(origin);
    expect((await refused.json()).code).toBe("BROWSER_NOT_TRUSTED");
    expect(await openSocketAs(companion, origin)).toBe(403);

    const asked = await askToPair(companion, origin);
    expect(asked).toMatchObject({ status: 200, body: { code: expect.stringMatching(/^\d{6}$/), expiresIn: 300 } });
    // A popup opened again shows the same code.
    expect((await askToPair(companion, origin)).body.code).toBe(asked.body.code);
    await askToPair(companion, other);

    expect(await cli(companion, "approve", asked.body.code)).toContain(origin);
    expect(await api(companion, "/livez", asBrowser(origin))).toMatchObject({ status: 204 });
    expect(await openSocketAs(companion, origin)).toBe("open");
    // The other browser asked too, but nobody approved it.
    expect((await api(companion, "/livez", asBrowser(other))).body.code).toBe("BROWSER_NOT_TRUSTED");
    expect(await openSocketAs(companion, other)).toBe(403);
    expect(JSON.parse(await cli(companion, "list", "--json"))).toEqual([
      { origin, approvedAt: expect.any(String), approvedBy: "cli" },
    ]);

    await cli(companion, "revoke", origin);
    expect((await api(companion, "/livez", asBrowser(origin))).body.code).toBe("BROWSER_NOT_TRUSTED");
    expect(await openSocketAs(companion, origin)).toBe(403);
    expect(JSON.parse(await cli(companion, "list", "--json"))).toEqual([]);
    // Its code was spent; a wrong one names nothing.
    await expect(cli(companion, "approve", asked.body.code)).rejects.toThrow(/配对码不正确或配对请求已过期/);
  });

  it("asks to pair only from an exact moz-extension://<uuid> origin", async () => {
    const companion = await companionFor();
    const uuid = randomUUID();
    for (const origin of [
      `moz-extension://${uuid.toUpperCase()}`,
      `moz-extension://${uuid}/`,
      `moz-extension://${uuid}.example`,
      "moz-extension://not-a-uuid",
      `https://${uuid}`,
    ]) {
      expect((await askToPair(companion, origin)).body.code, origin).toBe("FORBIDDEN_ORIGIN");
    }
    // A store ID's or the development origin has nothing to pair: it is trusted already.
    expect((await api(companion, "/api/browser-pairings", { body: {} })).status).toBe(200);
  });

  it("a person in a trusted browser approves another by its code; their wrong codes are limited", async () => {
    const clock = manualClock();
    const companion = await companionFor({ clock });
    const token = await loginToken(companion, await registerPerson(companion));
    const approve = (code: string) => api(companion, "/api/browser-pairings/approve", { token, body: { code } });
    const origin = firefoxOrigin();
    const { code } = (await askToPair(companion, origin)).body;

    expect(await approve(code)).toEqual({ status: 200, body: { origin } });
    expect(await api(companion, "/livez", asBrowser(origin))).toMatchObject({ status: 204 });
    // Only from a trusted browser: the pairing browser itself cannot approve its own code.
    const late = firefoxOrigin();
    const lateCode = (await askToPair(companion, late)).body.code as string;
    const self = await api(companion, "/api/browser-pairings/approve", {
      token,
      body: { code: lateCode },
      ...asBrowser(late),
    });
    expect(self.body.code).toBe("BROWSER_NOT_TRUSTED");
    // Five minutes on, the request is gone.
    clock.advance(5 * 60_000);
    expect((await approve(lateCode)).body.code).toBe("BROWSER_PAIRING_NOT_FOUND");

    for (let i = 0; i < 4; i += 1) expect((await approve(`00000${i}`)).body.code).toBe("BROWSER_PAIRING_NOT_FOUND");
    const fresh = (await askToPair(companion, firefoxOrigin())).body.code as string;
    expect((await approve(fresh)).body.code).toBe("PAIRING_CODE_LOCKED");
  });
});

describe("browser pairing floods", () => {
  it(`past ${BROWSER_PAIRING_MAX_PENDING} waiting requests the oldest goes: a new request always gets in`, async () => {
    const companion = await companionFor();
    const first = firefoxOrigin();
    const firstCode = (await askToPair(companion, first)).body.code as string;
    for (let i = 0; i < BROWSER_PAIRING_MAX_PENDING; i += 1) await askToPair(companion, firefoxOrigin());
    const real = firefoxOrigin();
    const realCode = (await askToPair(companion, real)).body.code as string;

    await expect(cli(companion, "approve", firstCode)).rejects.toThrow(/配对码不正确或配对请求已过期/);
    expect(await cli(companion, "approve", realCode)).toContain(real);
    // The one pushed out asks again (its popup does, seeing its code refused) and gets in.
    const again = (await askToPair(companion, first)).body.code as string;
    expect(await cli(companion, "approve", again)).toContain(first);
  }, 120_000);

  it(`opens at most ${BROWSER_PAIR_REQUESTS_PER_MINUTE} new requests a minute for one origin`, async () => {
    const companion = await companionFor();
    const token = await loginToken(companion, await registerPerson(companion));
    const origin = firefoxOrigin();
    for (let i = 0; i < BROWSER_PAIR_REQUESTS_PER_MINUTE; i += 1) {
      const { code } = (await askToPair(companion, origin)).body;
      await api(companion, "/api/browser-pairings/approve", { token, body: { code } });
      await companion.app.core.browserPairing.revoke(origin);
    }
    const refused = await askToPair(companion, origin);
    expect(refused).toMatchObject({ status: 429, body: { code: "RATE_LIMITED", retryAfter: expect.any(Number) } });
  });
});
