import type { QrLogins } from "../../qr-login/qr-logins.js";
import type { DesktopHandlers } from "./handlers.js";

export interface QrLoginRequestDeps {
  qrLogins: Pick<QrLogins, "scan" | "confirm" | "cancel">;
}

/** 扫码登录 from both sides: the client shows a QR code and is logged in by it, or approves another's. */
export function qrLoginRequests({
  qrLogins,
}: QrLoginRequestDeps): DesktopHandlers<"qr.create" | "qr.redeem" | "qr.scan" | "qr.confirm" | "qr.cancel"> {
  return {
    "qr.create": ({ publicKey }, connection) => {
      // Paired: before pairing the socket refuses qr.create unread. The approver sees the name the
      // person approved at pairing.
      const { id, name } = connection.client!;
      return connection.qrRequester.create({ id: `desktop:${id}`, kind: "desktop", name }, publicKey);
    },

    "qr.redeem": async ({ ref, proof }, connection) => {
      const redeemed = await connection.qrRequester.redeem(ref, proof);
      connection.signIn({ token: redeemed.token, personId: redeemed.personId });
      return redeemed.result;
    },

    "qr.scan": async ({ qrText }, connection) => qrLogins.scan(await connection.requireLogin(), qrText),

    "qr.confirm": async ({ ref }, connection) => {
      await qrLogins.confirm(await connection.requireLogin(), ref);
      return {};
    },

    "qr.cancel": async ({ ref }, connection) => {
      await qrLogins.cancel(await connection.requireLogin(), ref);
      return {};
    },
  };
}
