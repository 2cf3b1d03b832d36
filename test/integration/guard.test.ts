import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPANION_VERSION } from "../../companion/version.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { PROTOCOL_VERSION } from "../../shared/protocol-version.js";
import { api, type RunningCompanion, startCompanion } from "../support/companion.js";

let companion: RunningCompanion;
beforeAll(async () => {
  companion = await startCompanion();
});
afterAll(() => companion.close());

/** A raw HTTP request, so the test can send any Host and Origin (fetch would not). */
function rawRequest(headers: Record<string, string>, path = "/healthz"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: companion.port, path, method: "GET", headers, setHost: false },
      (res) => {
        let body = "";
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("request guard", () => {
  it("answers healthz with a real database and keychain check", async () => {
    const res = await api(companion, "/healthz");
    expect(res).toEqual({
      status: 200,
      body: { status: "ok", version: COMPANION_VERSION, protocolVersion: PROTOCOL_VERSION, db: "ok", keychain: "ok" },
    });
  });

  it("refuses a foreign Host (DNS rebinding) even from our origin", async () => {
    for (const host of [
      `attacker.example:${companion.port}`,
      "localhost.attacker.example",
      `127.0.0.1:${companion.port + 1}`,
      "",
    ]) {
      const res = await rawRequest({ host, origin: EXTENSION_ORIGIN });
      expect(res.status, host).toBe(403);
      expect(JSON.parse(res.body).code).toBe("FORBIDDEN_HOST");
    }
  });

  it("refuses other origins and clients without an Origin", async () => {
    const host = `127.0.0.1:${companion.port}`;
    for (const origin of [
      "https://evil.example",
      "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "null",
      "http://127.0.0.1",
    ]) {
      const res = await rawRequest({ host, origin });
      expect(res.status, origin).toBe(403);
      expect(JSON.parse(res.body).code).toBe("FORBIDDEN_ORIGIN");
    }
    const desktop = await rawRequest({ host });
    expect(JSON.parse(desktop.body).code).toBe("FORBIDDEN_ORIGIN");
  });

  it("guards WebSocket upgrades the same way", async () => {
    const upgrade = {
      connection: "Upgrade",
      upgrade: "websocket",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    };
    const foreign = await rawRequest(
      { host: `127.0.0.1:${companion.port}`, origin: "https://evil.example", ...upgrade },
      "/",
    );
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).code).toBe("FORBIDDEN_ORIGIN");
    const rebound = await rawRequest({ host: "evil.example", origin: EXTENSION_ORIGIN, ...upgrade }, "/");
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).code).toBe("FORBIDDEN_HOST");
  });

  it("answers CORS preflight for our origin only", async () => {
    const res = await fetch(`${companion.url}/api/login`, {
      method: "OPTIONS",
      headers: {
        origin: EXTENSION_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-private-network": "true",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(EXTENSION_ORIGIN);
    expect(res.headers.get("access-control-allow-private-network")).toBe("true");
    const foreign = await fetch(`${companion.url}/api/login`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("turns bad input into stable error codes, never a stack trace", async () => {
    const badJson = await fetch(`${companion.url}/api/login`, {
      method: "POST",
      headers: { origin: EXTENSION_ORIGIN, "content-type": "application/json" },
      body: "{not json",
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toEqual({ code: "BAD_REQUEST", message: "请求内容不正确" });
    const huge = await api(companion, "/api/login", { body: { account: "x".repeat(70_000), password: "p" } });
    expect(huge.body.code).toBe("PAYLOAD_TOO_LARGE");
    const wrongTypes = await api(companion, "/api/login", { body: { account: 42, password: ["x"] } });
    expect(wrongTypes.body).toMatchObject({ code: "VALIDATION_FAILED", message: "填写的信息不符合要求" });
    expect(JSON.stringify(wrongTypes.body)).not.toMatch(/at .*\.(ts|js):\d+/);
    expect((await api(companion, "/api/nothing")).body.code).toBe("NOT_FOUND");
  });
});

describe("livez", () => {
  it("answers 204 to our origin without logging the request, and refuses others like every route", async () => {
    const logged = companion.logs.length;
    expect(await api(companion, "/livez")).toEqual({ status: 204, body: null });
    // The extension's open pages ask every few seconds: no request lines in the log for it.
    expect(companion.logs.slice(logged).join("")).not.toContain("/livez");
    expect(await api(companion, "/healthz")).toMatchObject({ status: 200 });
    expect(companion.logs.slice(logged).join("")).toContain("/healthz");

    const host = `127.0.0.1:${companion.port}`;
    const foreign = await rawRequest({ host, origin: "https://evil.example" }, "/livez");
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).code).toBe("FORBIDDEN_ORIGIN");
  });
});

describe("healthz", () => {
  it("answers 503 naming the database when it is gone", async () => {
    const broken = await startCompanion();
    await broken.app.core.sql.close();
    const res = await api(broken, "/healthz");
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: "error", keychain: "ok" });
    expect(res.body.db).toMatch(/^error: /);
    await broken.app.close();
  });
});
