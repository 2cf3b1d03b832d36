import type { IncomingHttpHeaders } from "node:http";
import type { FastifyPluginAsync } from "fastify";
import { accountsApi } from "../../shared/api/accounts.js";
import { securityApi } from "../../shared/api/security.js";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import { browserName } from "../http/browser-name.js";
import { serve } from "../http/serve.js";
import { bearerToken } from "../http/session-auth.js";
import { tokenDigest } from "../security/secrets.js";
import { personSummary } from "./people.js";
import { SESSION_IDLE_TIMEOUT } from "./sessions.js";

/** What these routes use of the companion. */
export type AccountRoutesDeps = Pick<
  Core,
  "changePassword" | "login" | "passwordReset" | "people" | "registration" | "securityCenter" | "sessions"
>;

/** The digest of the request's session token (the session hook has checked it): which session is "this one". */
const sessionOf = (headers: IncomingHttpHeaders) => tokenDigest(bearerToken(headers) as string);

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

  serve(app, accountsApi.login, async ({ body, headers }) => {
    const result = await core.login(body, {
      canChangePassword: true,
      client: { kind: "browser", name: browserName(headers["user-agent"]) },
      // Every HTTP caller sends our extension's Origin and may use any port: one client for the throttle.
      source: "http",
    });
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

  serve(app, accountsApi.changePassword, async ({ personId, body, headers }) => {
    await core.changePassword(personId, sessionOf(headers), body);
  });

  // 安全中心: 最近登录 and the bound phone.
  serve(app, securityApi.securityOverview, async ({ personId, headers }) =>
    core.securityCenter.overview(personId, sessionOf(headers)),
  );

  serve(app, securityApi.securityLogins, async ({ personId, headers, query }) =>
    core.securityCenter.logins(personId, sessionOf(headers), query),
  );

  serve(app, securityApi.bindPhoneSms, async ({ personId, body }) =>
    core.securityCenter.sendBindCode(personId, body.phone),
  );

  serve(app, securityApi.bindPhone, async ({ personId, body, log }) => {
    const { maskedPhone, oldNumberTold } = await core.securityCenter.bindPhone(personId, body);
    if (oldNumberTold === false) log.warn({ personId }, "the replaced phone number could not be told of the change");
    return { maskedPhone };
  });

  serve(app, accountsApi.forgotStart, async ({ body }) => core.passwordReset.start(body));

  serve(app, accountsApi.forgotComplete, async ({ body }) => {
    await core.passwordReset.complete(body);
  });
};

export default accountRoutes;
