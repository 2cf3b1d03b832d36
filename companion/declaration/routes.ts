import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { declarationResetRequestSchema, mayResetDeclarationPassword } from "../../shared/api/declaration.js";
import { unitTinParamSchema } from "../../shared/api/grants.js";
import { maskPhone } from "../../shared/identity/account-rules.js";
import type { Person } from "../accounts/people.js";
import { bearerToken } from "../accounts/routes.js";
import { AppError, parseInput } from "../errors.js";

/** 重置申报密码 by the unit's legal rep or a finance manager, confirmed by an SMS to their bound phone. */
const declarationRoutes: FastifyPluginAsync = async (app) => {
  const { core } = app;

  /** The logged-in officer of the unit, with a bound phone. */
  function officer(request: FastifyRequest, tin: string): Person & { phone: string } {
    const person = core.people.byId(core.sessions.authenticate(bearerToken(request)).personId);
    if (!person) throw new AppError("UNAUTHENTICATED", 401);
    core.units.requireUnit(tin);
    const { roles } = core.grants.managers.authority(person, tin, core.grants.today());
    if (!mayResetDeclarationPassword(roles)) throw new AppError("NOT_UNIT_OFFICER", 403);
    if (!person.phone) throw new AppError("PHONE_NOT_BOUND", 409);
    return { ...person, phone: person.phone };
  }

  app.post("/api/units/:tin/declaration-password/sms", async (request) => {
    const { tin } = parseInput(unitTinParamSchema, request.params);
    const { phone } = officer(request, tin);
    const sent = await core.smsCodes.send("declaration-reset", phone);
    return { maskedPhone: maskPhone(phone), ...sent };
  });

  app.post("/api/units/:tin/declaration-password/reset", async (request, reply) => {
    const { tin } = parseInput(unitTinParamSchema, request.params);
    const { phone } = officer(request, tin);
    const body = parseInput(declarationResetRequestSchema, request.body);
    core.smsCodes.verify("declaration-reset", phone, body.smsCode);
    await core.declarationPasswords.set(tin, body.newPassword);
    return reply.code(204).send();
  });
};

export default declarationRoutes;
