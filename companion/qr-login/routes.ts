import type { FastifyPluginAsync } from "fastify";
import type { WebSocket } from "ws";
import { type DesktopReply, type QrSocketRequest, qrSocketRequestSchema } from "../../shared/desktop/protocol.js";
import { installIdSchema, QR_INSTALL_PARAM, QR_LOGIN_SOCKET_PATH, qrLoginApi } from "../../shared/qr-login/contract.js";
import { AppError, parseInput } from "../errors.js";
import { serve } from "../http/serve.js";
import { readFrame } from "../security/socket-frames.js";
import { qrRequesterConnection } from "./requester.js";

const IDLE_TIMEOUT_MS = 5 * 60_000;
/** Messages a popup may send in a minute; far above what the 扫码登录 view needs. */
const MESSAGES_PER_MINUTE = 60;

/** "Chrome 131 · Linux" from the browser's User-Agent: how the approver's screen names this browser. */
export function browserName(userAgent = ""): string {
  // Edge's User-Agent names Chrome too: look for Edg first.
  const edge = userAgent.match(/Edg\/(\d+)/);
  const chrome = userAgent.match(/Chrome\/(\d+)/);
  const browser = edge ? `Edge ${edge[1]}` : chrome ? `Chrome ${chrome[1]}` : "浏览器";
  const os = [
    ["Windows", "Windows"],
    ["Mac OS X", "macOS"],
    ["CrOS", "ChromeOS"],
    ["Linux", "Linux"],
  ].find(([marker]) => userAgent.includes(marker!))?.[1];
  return os ? `${browser} · ${os}` : browser;
}

/**
 * 扫码登录 in the browser: the popup's requester socket, and the approver's HTTP calls from the
 * 扫一扫 page. The guard has checked Host and Origin (our extension only) on both.
 */
const qrLoginRoutes: FastifyPluginAsync = async (app) => {
  const { core } = app;

  serve(app, qrLoginApi.qrScan, async ({ personId, body }) => core.qrLogins.scan(personId, body.qrText));

  serve(app, qrLoginApi.qrConfirm, async ({ personId, body, log }) => {
    core.qrLogins.confirm(personId, body.ref);
    log.info({ personId }, "qr login confirmed");
  });

  serve(app, qrLoginApi.qrCancel, async ({ personId, body }) => {
    core.qrLogins.cancel(personId, body.ref);
  });

  app.get(QR_LOGIN_SOCKET_PATH, { websocket: true }, (socket: WebSocket, request) => {
    // Each browser installation has its own creation limit; without an id, they share one.
    const install = installIdSchema.safeParse(
      new URL(request.url, "http://127.0.0.1").searchParams.get(QR_INSTALL_PARAM),
    );
    const requester = {
      id: install.success ? `browser:${install.data}` : "browser",
      kind: "browser" as const,
      name: browserName(request.headers["user-agent"]),
    };
    const send = (message: DesktopReply | object) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const connection = qrRequesterConnection(core.qrLogins, send);
    let windowStart = Date.now();
    let messages = 0;
    let idle = setTimeout(() => socket.close(4408, "idle"), IDLE_TIMEOUT_MS);

    const handle = async (message: QrSocketRequest): Promise<unknown> => {
      switch (message.type) {
        case "qr.create":
          return connection.create(requester, message.publicKey);
        case "qr.redeem":
          return connection.redeem(message.ref, message.proof).result;
        case "ping":
          return {};
      }
    };

    socket.on("message", (data, isBinary) => {
      clearTimeout(idle);
      idle = setTimeout(() => socket.close(4408, "idle"), IDLE_TIMEOUT_MS);
      if (Date.now() - windowStart > 60_000) {
        windowStart = Date.now();
        messages = 0;
      }
      if (++messages > MESSAGES_PER_MINUTE) return socket.close(4429, "rate limit");
      const { frame, id } = readFrame(data, isBinary);
      let message: QrSocketRequest;
      try {
        if (frame === undefined) throw new AppError("BAD_REQUEST");
        message = parseInput(qrSocketRequestSchema, frame);
      } catch (error) {
        return send({ id, ok: false, ...(error as AppError).toBody() });
      }
      handle(message).then(
        (result) => send({ id: message.id, ok: true, result }),
        (error: unknown) => {
          if (error instanceof AppError) return send({ id: message.id, ok: false, ...error.toBody() });
          request.log.error({ err: error }, "qr login socket");
          socket.close(1011, "internal error");
        },
      );
    });
    socket.on("close", () => {
      clearTimeout(idle);
      connection.close();
    });
    socket.on("error", () => socket.terminate());
  });
};

export default qrLoginRoutes;
