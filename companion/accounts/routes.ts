import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import {
  forgotCompleteRequestSchema,
  forgotStartRequestSchema,
  loginRequestSchema,
  registerCompleteRequestSchema,
  registerVerifyRequestSchema,
  smsSendRequestSchema,
} from "../../shared/api/accounts.js";
import { AppError, parseInput } from "../errors.js";
import { personSummary } from "./people.js";
import { SESSION_IDLE_TIMEOUT } from "./sessions.js";

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith("Bearer ") ? header.slice("Bearer ".length) : undefined;
}

const accountRoutes: FastifyPluginAsync = async (app) => {
  const { core } = app;

  app.post("/api/register/verify", async (request) =>
    core.registration.verify(parseInput(registerVerifyRequestSchema, request.body)),
  );

  app.post("/api/sms/send", async (request) => {
    const body = parseInput(smsSendRequestSchema, request.body);
    if (body.purpose === "reset-password") return core.passwordReset.resendSms(body.ticket);
    if (!body.phone) throw new AppError("VALIDATION_FAILED", 400, { fields: { phone: "请输入手机号码" } });
    return core.registration.sendSms(body.ticket, body.phone);
  });

  app.post("/api/register/complete", async (request) => {
    const person = await core.registration.complete(parseInput(registerCompleteRequestSchema, request.body));
    return { person: personSummary(person) };
  });

  app.post("/api/login", async (request) => {
    const result = await core.login(parseInput(loginRequestSchema, request.body));
    return {
      token: result.token,
      person: personSummary(result.person),
      idleTimeout: SESSION_IDLE_TIMEOUT / 1000,
      expiresAt: new Date(result.expiresAt).toISOString(),
    };
  });

  app.post("/api/logout", async (request, reply) => {
    const token = bearerToken(request);
    core.sessions.authenticate(token);
    core.sessions.end(token as string, "logout");
    return reply.code(204).send();
  });

  app.get("/api/session", async (request) => {
    const { personId } = core.sessions.authenticate(bearerToken(request));
    const person = core.people.byId(personId);
    if (!person) throw new AppError("UNAUTHENTICATED", 401);
    return { person: personSummary(person) };
  });

  app.post("/api/password/forgot/start", async (request) =>
    core.passwordReset.start(parseInput(forgotStartRequestSchema, request.body)),
  );

  app.post("/api/password/forgot/complete", async (request, reply) => {
    await core.passwordReset.complete(parseInput(forgotCompleteRequestSchema, request.body));
    return reply.code(204).send();
  });
};

export default accountRoutes;
