import type { FastifyPluginAsync } from "fastify";
import { type AppDownloadResponse, qrLoginApi } from "../../shared/qr-login/contract.js";
import type { Core } from "../core.js";
import { serve } from "../http/serve.js";
import { qrSvg } from "../qr-svg.js";

/** What these routes use of the companion. */
export type AppDownloadRoutesDeps = Pick<Core, "config">;

/** 手机端下载: where the 个人所得税 app is downloaded (TAXAUTH_APP_DOWNLOAD_URL), and its QR code. */
const appDownloadRoutes: FastifyPluginAsync<AppDownloadRoutesDeps> = async (app, core) => {
  let cached: AppDownloadResponse | null = null;
  serve(app, qrLoginApi.appDownload, async () => {
    const appUrl = core.config.appDownloadUrl;
    cached ??= { appUrl, appQrSvg: await qrSvg(appUrl) };
    return cached;
  });
};

export default appDownloadRoutes;
