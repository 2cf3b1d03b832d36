import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import * as z from "zod";
import {
  grantChangeRequestSchema,
  grantCreateRequestSchema,
  grantParamSchema,
  myGrantParamSchema,
  unitTinParamSchema,
} from "../../shared/api/grants.js";
import { bearerToken } from "../accounts/routes.js";
import { parseInput } from "../errors.js";

const searchQuerySchema = z.object({ q: z.string().max(64).optional() });

/** 企业办税权限 for managers, and 我的办税权限 for grantees. */
const grantRoutes: FastifyPluginAsync = async (app) => {
  const { core } = app;
  const { grants } = core;
  const personOf = (request: FastifyRequest) => core.sessions.authenticate(bearerToken(request)).personId;

  app.get("/api/units/managed", async (request) => {
    const { q } = parseInput(searchQuerySchema, request.query);
    return { units: grants.managedUnits(personOf(request), q) };
  });

  app.get("/api/units/:tin", async (request) => {
    const { tin } = parseInput(unitTinParamSchema, request.params);
    return grants.unitDetail(personOf(request), tin);
  });

  app.get("/api/units/:tin/history", async (request) => {
    const { tin } = parseInput(unitTinParamSchema, request.params);
    return { entries: grants.history(personOf(request), tin) };
  });

  app.get("/api/units/:tin/grants.csv", async (request, reply) => {
    const { tin } = parseInput(unitTinParamSchema, request.params);
    const csv = grants.exportCsv(personOf(request), tin);
    return reply
      .header("content-type", "text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="grants-${tin}.csv"`)
      .send(csv);
  });

  app.post("/api/units/:tin/grants", async (request) => {
    const { tin } = parseInput(unitTinParamSchema, request.params);
    return grants.add(personOf(request), tin, parseInput(grantCreateRequestSchema, request.body));
  });

  app.post("/api/units/:tin/grants/:grantId/change", async (request) => {
    const { tin, grantId } = parseInput(grantParamSchema, request.params);
    return grants.change(personOf(request), tin, grantId, parseInput(grantChangeRequestSchema, request.body));
  });

  app.post("/api/units/:tin/grants/:grantId/revoke", async (request) => {
    const { tin, grantId } = parseInput(grantParamSchema, request.params);
    return grants.revoke(personOf(request), tin, grantId);
  });

  app.post("/api/units/:tin/grants/:grantId/review", async (request) => {
    const { tin, grantId } = parseInput(grantParamSchema, request.params);
    return grants.review(personOf(request), tin, grantId);
  });

  app.get("/api/my/grants", async (request) => grants.myGrants(personOf(request)));

  app.post("/api/my/grants/:grantId/renounce", async (request, reply) => {
    const { grantId } = parseInput(myGrantParamSchema, request.params);
    await grants.renounce(personOf(request), grantId);
    return reply.code(204).send();
  });

  app.post("/api/my/grants/:grantId/delete", async (request, reply) => {
    const { grantId } = parseInput(myGrantParamSchema, request.params);
    await grants.hide(personOf(request), grantId);
    return reply.code(204).send();
  });
};

export default grantRoutes;
