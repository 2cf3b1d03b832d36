import type { FastifyPluginAsync } from "fastify";
import { accountsApi } from "../../shared/api/accounts.js";
import type { Core } from "../core.js";
import { serve } from "../http/serve.js";

/** What these routes use of the companion. */
export type CaptchaRoutesDeps = Pick<Core, "captchas">;

const captchaRoutes: FastifyPluginAsync<CaptchaRoutesDeps> = async (app, core) => {
  serve(app, accountsApi.captcha, async (_request, reply) => {
    reply.header("cache-control", "no-store");
    return core.captchas.issue();
  });
};

export default captchaRoutes;
