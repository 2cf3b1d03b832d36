import type { DesktopClient } from "../../shared/desktop/client.js";
import { QR_LOGIN_SOCKET_PATH, type QrCreated } from "../../shared/qr-login/contract.js";
import { newRequesterKeys, type RequesterKeys } from "../../shared/qr-login/requester-keys.js";
import { connectClient, type Reachable } from "./desktop.js";

/** The popup's 扫码登录 socket, as the extension opens it (our Origin, a Chrome User-Agent). */
export async function connectQrSocket(
  companion: Reachable,
  origin = "chrome-extension://oioampiekdfjggehcapnjlppodbigldm",
): Promise<DesktopClient> {
  return connectClient(companion, QR_LOGIN_SOCKET_PATH, {
    origin,
    "user-agent":
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  });
}

/** A requester (popup socket or desktop connection) showing a fresh QR code. */
export async function showQr(requester: DesktopClient): Promise<{
  keys: RequesterKeys;
  created: QrCreated;
}> {
  const keys = await newRequesterKeys();
  return { keys, created: await requester.request("qr.create", { publicKey: keys.publicKey }) };
}
