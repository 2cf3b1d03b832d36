import Fastify from "fastify";
import { expect, it } from "vitest";
import healthRoutes from "../../companion/health/routes.js";
import { COMPANION_VERSION } from "../../companion/version.js";
import { PROTOCOL_VERSION } from "../../shared/protocol-version.js";

// The keychain cannot be made to fail on demand in a live session, so this unit test gives the
// health route a keychain that refuses; the integration test covers the real one.
it("answers 503 naming the keychain when it refuses", async () => {
  const app = Fastify();
  await app.register(healthRoutes, {
    sql: { value: async () => 1 },
    keychain: {
      set: async () => {
        throw new Error("Cannot autolaunch D-Bus without X11 $DISPLAY");
      },
      get: async () => null,
      delete: async () => false,
    },
  } as never);
  const res = await app.inject({ url: "/healthz" });
  expect(res.statusCode).toBe(503);
  expect(res.json()).toEqual({
    status: "error",
    version: COMPANION_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    db: "ok",
    keychain: "error: Cannot autolaunch D-Bus without X11 $DISPLAY",
  });
});
