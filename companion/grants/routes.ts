import type { Readable } from "node:stream";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { grantsApi } from "../../shared/api/grants.js";
import type { Core } from "../core.js";
import { serve } from "../http/serve.js";

/** What these routes use of the companion. */
export type GrantRoutesDeps = Pick<Core, "grants" | "myEvents">;

/** 企业办税权限 for managers, and 我的办税权限 for grantees. */
const grantRoutes: FastifyPluginAsync<GrantRoutesDeps> = async (app, core) => {
  const { grants, myEvents } = core;

  serve(app, grantsApi.managedUnits, async ({ personId, query }) => grants.managedUnits(personId, query));

  serve(app, grantsApi.unitDetail, async ({ personId, params }) => grants.unitDetail(personId, params.tin));

  serve(app, grantsApi.unitGrants, async ({ personId, params, query }) =>
    grants.unitGrants(personId, params.tin, query),
  );

  serve(app, grantsApi.history, async ({ personId, params, query }) => grants.history(personId, params.tin, query));

  serve(app, grantsApi.grantsCsv, async ({ personId, params }, reply) => {
    const { fileName, csv } = await grants.exportCsv(personId, params.tin);
    return sendCsv(reply, `grants-${params.tin}.csv`, fileName, csv);
  });

  serve(app, grantsApi.historyCsv, async ({ personId, params, query }, reply) => {
    const { fileName, csv } = await grants.exportHistoryCsv(personId, params.tin, query);
    return sendCsv(reply, `history-${params.tin}.csv`, fileName, csv);
  });

  serve(app, grantsApi.myEvents, async ({ personId, query }) => myEvents.page(personId, query));

  serve(app, grantsApi.granteeDocument, async ({ personId, params }) =>
    grants.granteeDocument(personId, params.tin, params.grantId),
  );

  serve(app, grantsApi.createGrant, async ({ personId, params, body }) => grants.add(personId, params.tin, body));

  serve(app, grantsApi.changeGrant, async ({ personId, params, body }) =>
    grants.change(personId, params.tin, params.grantId, body),
  );

  serve(app, grantsApi.revokeGrant, async ({ personId, params }) =>
    grants.revoke(personId, params.tin, params.grantId),
  );

  serve(app, grantsApi.reviewGrant, async ({ personId, params }) =>
    grants.review(personId, params.tin, params.grantId),
  );

  serve(app, grantsApi.myGrants, async ({ personId, query }) => grants.myGrants(personId, query));

  serve(app, grantsApi.renounceGrant, async ({ personId, params }) => {
    await grants.renounce(personId, params.grantId);
  });

  serve(app, grantsApi.deleteMyGrant, async ({ personId, params }) => {
    await grants.hide(personId, params.grantId);
  });
};

/** A CSV download: the Chinese name for browsers (RFC 6266), an ASCII one for clients that read only filename. */
function sendCsv(reply: FastifyReply, asciiName: string, fileName: string, csv: Readable) {
  const disposition = `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
  return reply.header("content-type", "text/csv; charset=utf-8").header("content-disposition", disposition).send(csv);
}

export default grantRoutes;
