import type { FastifyPluginAsync } from "fastify";
import { desktopApi, type PairedClient as PairedClientView } from "../../shared/api/desktop.js";
import type { Core } from "../core.js";
import { serve } from "../http/serve.js";
import type { PairedClient } from "./paired-client-store.js";

/** What these routes use of the companion. */
export type DesktopPairingRoutesDeps = Pick<Core, "desktopPairing">;

/** The popup's side of desktop pairing: the typed code's request to 允许 or 拒绝, and the person's clients. */
const desktopPairingRoutes: FastifyPluginAsync<DesktopPairingRoutesDeps> = async (app, core) => {
  const clientView = (client: PairedClient): PairedClientView => ({
    id: client.id,
    name: client.name,
    pairedAt: new Date(client.pairedAt).toISOString(),
    lastSeenAt: client.lastSeenAt === null ? null : new Date(client.lastSeenAt).toISOString(),
  });

  serve(app, desktopApi.pairingsPending, async () => ({ pending: core.desktopPairing.pendingCount() }));

  serve(app, desktopApi.findPairing, async ({ personId, body }) => core.desktopPairing.find(personId, body.code));

  serve(app, desktopApi.approvePairing, async ({ personId, body }) =>
    clientView(await core.desktopPairing.approve(personId, body.code)),
  );

  serve(app, desktopApi.denyPairing, async ({ personId, body }) => {
    core.desktopPairing.deny(personId, body.code);
  });

  serve(app, desktopApi.desktopClients, async ({ personId, query }) => {
    const page = await core.desktopPairing.clientsOf(personId, query);
    return { ...page, items: page.items.map(clientView) };
  });

  serve(app, desktopApi.revokeDesktopClient, async ({ personId, params }) => {
    await core.desktopPairing.revoke(params.id, personId);
  });
};

export default desktopPairingRoutes;
