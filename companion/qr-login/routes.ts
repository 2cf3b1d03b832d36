import type { FastifyPluginAsync } from "fastify";
import {
  QR_SOCKET_IDLE_TIMEOUT_MS,
  QR_SOCKET_MESSAGES_PER_MINUTE,
  type QrSocketRequest,
  qrSocketRequestSchema,
} from "../../shared/desktop/protocol.js";
import { QR_LOGIN_SOCKET_PATH, qrLoginApi } from "../../shared/qr-login/contract.js";
import type { Core } from "../core.js";
import type { DesktopHandlers } from "../desktop/requests/handlers.js";
import { browserName } from "../http/browser-name.js";
import { serve } from "../http/serve.js";
import { sendFrame } from "../sockets/frames.js";
import { perMinute } from "../sockets/rate-limit.js";
import { serveRequests } from "../sockets/request-server.js";
import { socketRoute } from "../sockets/socket-route.js";
import type { QrRequester } from "./qr-logins.js";
import { type QrRequesterConnection, qrRequesterConnection } from "./requester.js";

/** The popup's requests on its socket: the requester's side of 扫码登录 (the session stays with the popup). */
const popupRequests: DesktopHandlers<QrSocketRequest["type"], { requester: QrRequester; qr: QrRequesterConnection }> = {
  "qr.create": ({ publicKey }, { requester, qr }) => qr.create(requester, publicKey),
  "qr.redeem": async ({ ref, proof }, { qr }) => (await qr.redeem(ref, proof)).result,
  ping: () => ({}),
};

/** What these routes use of the companion. */
export type QrLoginRoutesDeps = Pick<Core, "qrLogins" | "clock">;

/**
 * 扫码登录 in the browser: the popup's requester socket, and the approver's HTTP calls from the
 * 扫一扫 page. The guard has checked Host and Origin (our extension only) on both.
 */
const qrLoginRoutes: FastifyPluginAsync<QrLoginRoutesDeps> = async (app, core) => {
  serve(app, qrLoginApi.qrScan, async ({ personId, body }) => core.qrLogins.scan(personId, body.qrText));

  serve(app, qrLoginApi.qrConfirm, async ({ personId, body, log }) => {
    await core.qrLogins.confirm(personId, body.ref);
    log.info({ personId }, "qr login confirmed");
  });

  serve(app, qrLoginApi.qrCancel, async ({ personId, body }) => {
    await core.qrLogins.cancel(personId, body.ref);
  });

  socketRoute(app, QR_LOGIN_SOCKET_PATH, {}, (socket, request) => {
    // Limits are per socket: nothing the page says about itself (an id it could make up) counts.
    const requester: QrRequester = { id: "browser", kind: "browser", name: browserName(request.headers["user-agent"]) };
    const qr = qrRequesterConnection(core.qrLogins, core.clock, (event) => sendFrame(socket, event));
    serveRequests(socket, {
      log: request.log,
      schema: qrSocketRequestSchema,
      limits: {
        rate: { limiter: perMinute(QR_SOCKET_MESSAGES_PER_MINUTE), refusals: 0 },
        idleMs: QR_SOCKET_IDLE_TIMEOUT_MS,
      },
      handlers: popupRequests,
      context: { requester, qr },
      onClose: () => qr.close(),
    });
  });
};

export default qrLoginRoutes;
