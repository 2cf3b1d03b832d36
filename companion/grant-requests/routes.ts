import type { FastifyPluginAsync } from "fastify";
import { grantRequestsApi } from "../../shared/api/grant-requests.js";
import type { Core } from "../core.js";
import { serve } from "../http/serve.js";

/** What these routes use of the companion. */
export type GrantRequestRoutesDeps = Pick<Core, "grantRequests">;

/** 申请授权: the requester's side under /api/my, the managers' under the unit. */
const grantRequestRoutes: FastifyPluginAsync<GrantRequestRoutesDeps> = async (app, { grantRequests }) => {
  serve(app, grantRequestsApi.askGrant, async ({ personId, body }) => grantRequests.ask(personId, body));

  serve(app, grantRequestsApi.myGrantRequests, async ({ personId, query }) => grantRequests.mine(personId, query));

  serve(app, grantRequestsApi.withdrawGrantRequest, async ({ personId, params }) =>
    grantRequests.withdraw(personId, params.requestId),
  );

  serve(app, grantRequestsApi.unitGrantRequests, async ({ personId, params, query }) =>
    grantRequests.unitPending(personId, params.tin, query),
  );

  serve(app, grantRequestsApi.approveGrantRequest, async ({ personId, params, body }) =>
    grantRequests.approve(personId, params.tin, params.requestId, body),
  );

  serve(app, grantRequestsApi.declineGrantRequest, async ({ personId, params, body }) =>
    grantRequests.decline(personId, params.tin, params.requestId, body.reason),
  );
};

export default grantRequestRoutes;
