import type { FastifyPluginAsync } from "fastify";
import { type AppDownloadResponse, qrLoginApi } from "../../shared/qr-login/contract.js";
import { serve } from "../http/serve.js";
import { qrSvg } from "../qr-svg.js";

/** 手机端下载: where the 个人所得税 app is downloaded (TAXAUTH_APP_DOWNLOAD_URL), and its QR code. */
const appDownloadRoutes: FastifyPluginAsync = async (app) => {
  let cached: AppDownloadResponse | null = null;
  serve(app, qrLoginApi.appDownload, async () => {
    const appUrl = app.core.config.appDownloadUrl;
    cached ??= { appUrl, appQrSvg: await qrSvg(appUrl) };
    return cached;
  });
};

export default appDownloadRoutes;
