import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { z } from "zod";
import { bearerToken } from "../accounts/routes.js";
import { parseInput } from "../errors.js";

const idParamSchema = z.object({ id: z.string().uuid() });

/** The popup's side of desktop pairing: pending requests to 允许 or 拒绝, and the person's clients. */
const desktopPairingRoutes: FastifyPluginAsync = async (app) => {
  const { core } = app;
  const personOf = (request: FastifyRequest) => core.sessions.authenticate(bearerToken(request)).personId;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

  app.get("/api/desktop/pairings", async (request) => {
    personOf(request);
    return {
      requests: core.desktopPairing
        .pending()
        .map((r) => ({ id: r.id, clientName: r.clientName, code: r.code, requestedAt: iso(r.requestedAt) })),
    };
  });

  app.post("/api/desktop/pairings/:id/approve", async (request) => {
    const { id } = parseInput(idParamSchema, request.params);
    const client = core.desktopPairing.approve(id, personOf(request));
    return { id: client.id, name: client.name, pairedAt: iso(client.pairedAt), lastSeenAt: null };
  });

  app.post("/api/desktop/pairings/:id/deny", async (request, reply) => {
    personOf(request);
    core.desktopPairing.deny(parseInput(idParamSchema, request.params).id);
    return reply.code(204).send();
  });

  app.get("/api/desktop/clients", async (request) => ({
    clients: core.desktopPairing
      .clientsOf(personOf(request))
      .map((c) => ({ id: c.id, name: c.name, pairedAt: iso(c.pairedAt), lastSeenAt: iso(c.lastSeenAt) })),
  }));

  app.post("/api/desktop/clients/:id/revoke", async (request, reply) => {
    core.desktopPairing.revoke(parseInput(idParamSchema, request.params).id, personOf(request));
    return reply.code(204).send();
  });
};

export default desktopPairingRoutes;
