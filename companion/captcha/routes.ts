import type { FastifyPluginAsync } from "fastify";
import { accountsApi } from "../../shared/api/accounts.js";
import { serve } from "../http/serve.js";

const captchaRoutes: FastifyPluginAsync = async (app) => {
  serve(app, accountsApi.captcha, async (_request, reply) => {
    reply.header("cache-control", "no-store");
    return app.core.captchas.issue();
  });
};

export default captchaRoutes;
