import type { IncomingHttpHeaders } from "node:http";
import type { FastifyPluginAsync } from "fastify";
import fp from "fastify-plugin";
import type { Sessions } from "../accounts/sessions.js";

/** `Bearer <token68>`; the scheme's name is case-insensitive (RFC 9110 §11.1). */
const BEARER = /^bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  return BEARER.exec(headers.authorization ?? "")?.[1];
}

/**
 * The one place a route's session is checked: before its input is even read, a route declared with
 * `auth: true` needs a live Bearer token, and gets the person on `request.personId`; a session
 * whose password must be changed first passes only on routes declared `beforePasswordChange`.
 */
const sessionAuth: FastifyPluginAsync<{ sessions: Sessions }> = async (app, { sessions }) => {
  app.decorateRequest("personId", "");
  app.addHook("onRequest", async (request) => {
    const { auth, beforePasswordChange } = request.routeOptions.config;
    if (auth) {
      request.personId = (await sessions.authenticate(bearerToken(request.headers), { beforePasswordChange })).personId;
    }
  });
};

// Shared on purpose: every route of the app is covered.
export default fp(sessionAuth, { name: "session-auth" });
