/**
 * Strict HTTP framing (issue 13, "Framing and contract"), over raw TCP sockets to the real
 * companion: one Host header, origin-form targets only, the documented socket paths only, and
 * every refusal — the framework's and Node's included — in the app's `{code, message}` shape with
 * a code of shared/errors.ts, its status from the one table, its message in Chinese.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESKTOP_PATH } from "../../shared/desktop/protocol.js";
import { ERROR_MESSAGES, ERROR_STATUSES, type ErrorCode, errorBodySchema } from "../../shared/errors.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { QR_LOGIN_SOCKET_PATH } from "../../shared/qr-login/contract.js";
import { api, type RunningCompanion, startCompanion } from "../support/companion.js";
import { loginToken, newPerson, registerPerson } from "../support/people.js";
import { type RawAnswer, rawExchange, UPGRADE_HEADERS } from "../support/raw-http.js";

let companion: RunningCompanion;
let host: string;
beforeAll(async () => {
  companion = await startCompanion();
  host = `Host: 127.0.0.1:${companion.port}`;
});
afterAll(() => companion.close());

const ORIGIN = `Origin: ${EXTENSION_ORIGIN}`;

/** The answer is the app's refusal with this code: its status, its Chinese message, nothing else. */
function expectRefusal(answer: RawAnswer, code: ErrorCode): void {
  expect(answer.status, answer.body).toBe(ERROR_STATUSES[code]);
  expect(answer.headers["content-type"]).toMatch(/^application\/json/);
  const body = JSON.parse(answer.body);
  expect(errorBodySchema.strict().parse(body)).toEqual({ code, message: ERROR_MESSAGES[code] });
}

const send = (lines: string[], body?: string) => rawExchange(companion.port, lines, body);

describe("one Host header", () => {
  it("refuses a second Host after the good one, on HTTP and on the WebSocket upgrade", async () => {
    const healthz = ["GET /healthz HTTP/1.1", host, ORIGIN, "Connection: close"];
    expect((await send(healthz)).status).toBe(200);
    expectRefusal(await send([...healthz, "Host: evil.example"]), "BAD_REQUEST");
    // The same header name in another case is the same header.
    expectRefusal(await send([...healthz, "host: evil.example"]), "BAD_REQUEST");

    const upgrade = [`GET ${DESKTOP_PATH} HTTP/1.1`, host, ...UPGRADE_HEADERS];
    expect((await send(upgrade)).status).toBe(101);
    const refused = await send([...upgrade, "Host: evil.example"]);
    expectRefusal(refused, "BAD_REQUEST");
    expect(refused.closed).toBe(true);
  });

  it("refuses a request without Host in the app's words, not with Node's bare 400", async () => {
    expectRefusal(await send(["GET /healthz HTTP/1.1", ORIGIN, "Connection: close"]), "FORBIDDEN_HOST");
  });
});

describe("origin-form targets only", () => {
  it("refuses an absolute URL or `*` as the request target, whatever it names", async () => {
    for (const target of [
      "http://evil.example/healthz",
      `http://127.0.0.1:${companion.port}/healthz`,
      `ws://127.0.0.1:${companion.port}${DESKTOP_PATH}`,
    ]) {
      expectRefusal(await send([`GET ${target} HTTP/1.1`, host, ORIGIN, "Connection: close"]), "BAD_REQUEST");
    }
    expectRefusal(await send(["OPTIONS * HTTP/1.1", host, ORIGIN, "Connection: close"]), "BAD_REQUEST");
    const upgrade = await send([`GET http://evil.example${DESKTOP_PATH} HTTP/1.1`, host, ...UPGRADE_HEADERS]);
    expectRefusal(upgrade, "BAD_REQUEST");
    expect(upgrade.closed).toBe(true);
  });
});

describe("the documented socket paths only", () => {
  const upgradeTo = (path: string, ...headers: string[]) =>
    send([`GET ${path} HTTP/1.1`, host, ...headers, ...UPGRADE_HEADERS]);

  it("opens the desktop socket at exactly /desktop: a query string is refused like a browser origin", async () => {
    expect((await upgradeTo(DESKTOP_PATH)).status).toBe(101);
    for (const path of [`${DESKTOP_PATH}?x=1`, `${DESKTOP_PATH}?`, `${DESKTOP_PATH}/`]) {
      const refused = await upgradeTo(path);
      expectRefusal(refused, "FORBIDDEN_ORIGIN");
      expect(refused.closed).toBe(true);
    }
  });

  it("takes no query parameter on the sockets", async () => {
    expect((await upgradeTo("/api/events", ORIGIN)).status).toBe(101);
    expect((await upgradeTo(QR_LOGIN_SOCKET_PATH, ORIGIN)).status).toBe(101);
    for (const path of ["/api/events?token=abc", `${QR_LOGIN_SOCKET_PATH}?install=abc_123`, `${DESKTOP_PATH}?x=1`]) {
      const refused = await upgradeTo(path, ORIGIN);
      expectRefusal(refused, "NOT_FOUND");
      expect(refused.closed).toBe(true);
    }
  });

  it("refuses an upgrade on any other path before switching protocols", async () => {
    for (const path of ["/healthz", "/api/session", "/nothing"]) {
      const refused = await upgradeTo(path, ORIGIN);
      expectRefusal(refused, "NOT_FOUND");
      expect(refused.closed).toBe(true);
    }
  });

  it("tells a plain HTTP request on a socket path to upgrade (426)", async () => {
    for (const [path, origin] of [
      [DESKTOP_PATH, []],
      ["/api/events", [ORIGIN]],
      [QR_LOGIN_SOCKET_PATH, [ORIGIN]],
    ] as const) {
      const answer = await send([`GET ${path} HTTP/1.1`, host, ...origin, "Connection: close"]);
      expectRefusal(answer, "UPGRADE_REQUIRED");
      expect(answer.headers.upgrade).toBe("websocket");
    }
  });
});

describe("every refusal in the app's shape", () => {
  const post = (contentType: string, body: string) =>
    send(
      [
        "POST /api/login HTTP/1.1",
        host,
        ORIGIN,
        `Content-Type: ${contentType}`,
        `Content-Length: ${Buffer.byteLength(body)}`,
        "Connection: close",
      ],
      body,
    );

  it("a bad percent-encoding: no English text, no echo of the URL", async () => {
    for (const path of ["/api/%zz", "/api/units/%E4%zz/grants"]) {
      const answer = await send([`GET ${path} HTTP/1.1`, host, ORIGIN, "Connection: close"]);
      expectRefusal(answer, "BAD_REQUEST");
      expect(answer.body).not.toContain("%");
    }
    const upgrade = await send([`GET ${DESKTOP_PATH}%zz HTTP/1.1`, host, ...UPGRADE_HEADERS]);
    expectRefusal(upgrade, "BAD_REQUEST");
    expect(upgrade.closed).toBe(true);
  });

  it("bodies: bad JSON, too large, not JSON at all", async () => {
    expectRefusal(await post("application/json", "{not json"), "BAD_REQUEST");
    expectRefusal(await post("application/json", JSON.stringify({ account: "x".repeat(70_000) })), "PAYLOAD_TOO_LARGE");
    // A text/plain body (what a page may send without a CORS preflight) is not read as a string.
    expectRefusal(await post("text/plain", '{"account":"a","password":"b"}'), "UNSUPPORTED_MEDIA_TYPE");
    expectRefusal(await post("application/xml", "<login/>"), "UNSUPPORTED_MEDIA_TYPE");
  });

  it("what Node's HTTP parser cannot read", async () => {
    const broken = await send(["GET /healthz HTTP/1.1", host, "Bad Header Line", "Connection: close"]);
    expectRefusal(broken, "BAD_REQUEST");
    expect(broken.closed).toBe(true);
    const huge = await send(["GET /healthz HTTP/1.1", host, ORIGIN, `X-Filler: ${"a".repeat(20_000)}`]);
    expectRefusal(huge, "HEADERS_TOO_LARGE");
  });
});

describe("the Authorization scheme", () => {
  it("is case-insensitive (RFC 9110): bearer, BEARER and Bearer all carry the session", async () => {
    const token = await loginToken(companion, await registerPerson(companion, newPerson()));
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      const session = await api(companion, "/api/session", { headers: { authorization: `${scheme} ${token}` } });
      expect(session.status, scheme).toBe(200);
    }
    for (const header of [`Basic ${token}`, `Bearer${token}`, "Bearer ", `Bearer ${token} extra`]) {
      const refused = await api(companion, "/api/session", { headers: { authorization: header } });
      expect(refused.body.code, header).toBe("UNAUTHENTICATED");
    }
    // Logging out reads the token too: a lower-case scheme ends the session.
    expect(
      (await api(companion, "/api/logout", { method: "POST", headers: { authorization: `bearer ${token}` } })).status,
    ).toBe(204);
    expect((await api(companion, "/api/session", { token })).body.code).toBe("UNAUTHENTICATED");
  });
});
