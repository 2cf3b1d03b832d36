import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import * as z from "zod";
import type {
  PairedClientsResponse,
  PairedClient as PairedClientView,
  PairingRequestsResponse,
} from "../../shared/api/desktop.js";
import { bearerToken } from "../accounts/routes.js";
import { parseInput } from "../errors.js";
import type { PairedClient } from "./pairing.js";

const idParamSchema = z.object({ id: z.string().uuid() });

/** The popup's side of desktop pairing: pending requests to 允许 or 拒绝, and the person's clients. */
const desktopPairingRoutes: FastifyPluginAsync = async (app) => {
  const { core } = app;
  const personOf = (request: FastifyRequest) => core.sessions.authenticate(bearerToken(request)).personId;
  const clientView = (client: PairedClient): PairedClientView => ({
    id: client.id,
    name: client.name,
    pairedAt: new Date(client.pairedAt).toISOString(),
    lastSeenAt: client.lastSeenAt === null ? null : new Date(client.lastSeenAt).toISOString(),
  });

  app.get("/api/desktop/pairings", async (request): Promise<PairingRequestsResponse> => {
    personOf(request);
    return {
      requests: core.desktopPairing.pending().map((r) => ({
        id: r.id,
        clientName: r.clientName,
        code: r.code,
        requestedAt: new Date(r.requestedAt).toISOString(),
      })),
    };
  });

  app.post("/api/desktop/pairings/:id/approve", async (request): Promise<PairedClientView> => {
    const { id } = parseInput(idParamSchema, request.params);
    return clientView(core.desktopPairing.approve(id, personOf(request)));
  });

  app.post("/api/desktop/pairings/:id/deny", async (request, reply) => {
    personOf(request);
    core.desktopPairing.deny(parseInput(idParamSchema, request.params).id);
    return reply.code(204).send();
  });

  app.get(
    "/api/desktop/clients",
    async (request): Promise<PairedClientsResponse> => ({
      clients: core.desktopPairing.clientsOf(personOf(request)).map(clientView),
    }),
  );

  app.post("/api/desktop/clients/:id/revoke", async (request, reply) => {
    core.desktopPairing.revoke(parseInput(idParamSchema, request.params).id, personOf(request));
    return reply.code(204).send();
  });
};

export default desktopPairingRoutes;
