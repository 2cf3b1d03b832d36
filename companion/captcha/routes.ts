import type { FastifyPluginAsync } from "fastify";

const captchaRoutes: FastifyPluginAsync = async (app) => {
  app.get("/api/captcha", async (_request, reply) => {
    reply.header("cache-control", "no-store");
    return app.core.captchas.issue();
  });
};

export default captchaRoutes;
