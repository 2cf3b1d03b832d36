/**
 * No secret in a URL reaches the log (issue 13, "Framing and contract"): the query string of every
 * request — a token pasted into a link, a refused socket URL, a URL the router cannot read — is left
 * out of companion.log. Read from the real file the companion writes in its data dir.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LOG_FILE_NAME } from "../../companion/logger.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { api, type RunningCompanion, startCompanion } from "../support/companion.js";
import { rawExchange, UPGRADE_HEADERS } from "../support/raw-http.js";

let companion: RunningCompanion;
beforeAll(async () => {
  companion = await startCompanion({ logToFile: true });
});
afterAll(() => companion.close());

/** The log file once it holds `count` request lines (pino writes it asynchronously). */
async function logWith(count: number): Promise<string> {
  const file = join(companion.dataDir, LOG_FILE_NAME);
  for (let tries = 0; tries < 100; tries++) {
    const text = readFileSync(file, "utf8");
    if (text.split("\n").filter((line) => line.includes('"incoming request"')).length >= count) return text;
    await sleep(50);
  }
  throw new Error("the companion did not log the requests");
}

it("logs request URLs without their query string, wherever the request ends", async () => {
  const secrets = ["TOKEN-ON-A-ROUTE", "TOKEN-ON-A-SOCKET", "TOKEN-BY-A-BAD-URL", "TOKEN-ON-NO-ROUTE"];
  const host = `Host: 127.0.0.1:${companion.port}`;
  const origin = `Origin: ${EXTENSION_ORIGIN}`;
  expect((await api(companion, `/healthz?token=${secrets[0]}`)).status).toBe(200);
  // Refused at the upgrade (the event socket takes no query), and by the router (bad percent-encoding).
  expect(
    (
      await rawExchange(companion.port, [
        `GET /api/events?token=${secrets[1]} HTTP/1.1`,
        host,
        origin,
        ...UPGRADE_HEADERS,
      ])
    ).status,
  ).toBe(404);
  expect(
    (
      await rawExchange(companion.port, [
        `GET /api/%zz?token=${secrets[2]} HTTP/1.1`,
        host,
        origin,
        "Connection: close",
      ])
    ).status,
  ).toBe(400);
  expect((await api(companion, `/api/nothing?token=${secrets[3]}`)).status).toBe(404);

  const log = await logWith(4);
  for (const secret of secrets) expect(log).not.toContain(secret);
  for (const url of [
    "/healthz?[redacted]",
    "/api/events?[redacted]",
    "/api/%zz?[redacted]",
    "/api/nothing?[redacted]",
  ]) {
    expect(log).toContain(`"url":"${url}"`);
  }
  // The log file itself is the user's only.
  expect(statSync(join(companion.dataDir, LOG_FILE_NAME)).mode & 0o777).toBe(0o600);
});
