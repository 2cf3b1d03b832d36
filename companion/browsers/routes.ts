import type { FastifyPluginAsync } from "fastify";
import { browsersApi } from "../../shared/api/browsers.js";
import type { Core } from "../core.js";
import { serve } from "../http/serve.js";

/** What these routes use of the companion. */
export type BrowserRoutesDeps = Pick<Core, "browserPairing">;

/**
 * A browser not yet trusted asks to be (the request guard lets only a moz-extension:// origin
 * reach this route untrusted); a person in a trusted browser approves another by its code.
 */
const browserRoutes: FastifyPluginAsync<BrowserRoutesDeps> = async (app, core) => {
  serve(app, browsersApi.requestBrowserPairing, async ({ headers }) =>
    core.browserPairing.request(headers.origin as string),
  );

  serve(app, browsersApi.approveBrowserPairing, async ({ personId, body }) => ({
    origin: await core.browserPairing.approveByPerson(personId, body.code),
  }));
};

export default browserRoutes;
