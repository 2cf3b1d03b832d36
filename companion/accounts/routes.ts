import type { FastifyPluginAsync } from "fastify";
import { accountsApi } from "../../shared/api/accounts.js";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import { serve } from "../http/serve.js";
import { bearerToken } from "../http/session-auth.js";
import { personSummary } from "./people.js";
import { SESSION_IDLE_TIMEOUT } from "./sessions.js";

/** What these routes use of the companion. */
export type AccountRoutesDeps = Pick<
  Core,
  "changePassword" | "login" | "passwordReset" | "people" | "registration" | "sessions"
>;

const accountRoutes: FastifyPluginAsync<AccountRoutesDeps> = async (app, core) => {
  serve(app, accountsApi.registerVerify, async ({ body }) => core.registration.verify(body));

  serve(app, accountsApi.sendSms, async ({ body }) => {
    if (body.purpose === "reset-password") return core.passwordReset.resendSms(body.ticket);
    if (!body.phone) throw new AppError("VALIDATION_FAILED", { fields: { phone: "请输入手机号码" } });
    return core.registration.sendSms(body.ticket, body.phone);
  });

  serve(app, accountsApi.registerComplete, async ({ body }) => ({
    person: personSummary(await core.registration.complete(body)),
  }));

  serve(app, accountsApi.login, async ({ body }) => {
    const result = await core.login(body);
    return {
      token: result.token,
      person: personSummary(result.person),
      idleTimeout: SESSION_IDLE_TIMEOUT / 1000,
      expiresAt: new Date(result.expiresAt).toISOString(),
      passwordChangeRequired: result.person.mustChangePassword,
    };
  });

  serve(app, accountsApi.logout, async ({ headers }) => {
    await core.sessions.end(bearerToken(headers) as string, "logout");
  });

  serve(app, accountsApi.session, async ({ personId }) => {
    const person = await core.people.byId(personId);
    if (!person) throw new AppError("UNAUTHENTICATED");
    return { person: personSummary(person), passwordChangeRequired: person.mustChangePassword };
  });

  serve(app, accountsApi.changePassword, async ({ personId, body }) => {
    await core.changePassword(personId, body);
  });

  serve(app, accountsApi.forgotStart, async ({ body }) => core.passwordReset.start(body));

  serve(app, accountsApi.forgotComplete, async ({ body }) => {
    await core.passwordReset.complete(body);
  });
};

export default accountRoutes;
