import {
  QR_CREATE_WINDOW_SECONDS,
  QR_CREATES_PER_CONNECTION,
  type QrCreated,
  type QrEvent,
  type QrRedeemed,
} from "../../shared/qr-login/contract.js";
import { personSummary } from "../accounts/people.js";
import { SESSION_IDLE_TIMEOUT } from "../accounts/sessions.js";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import { windowLimit } from "../security/window-limit.js";
import type { QrLogins, QrRequester } from "./qr-logins.js";

/**
 * The requester's side of 扫码登录 on one connection — the popup's /api/qr-login socket or a
 * desktop client's /desktop socket. A connection shows one QR code at a time (刷新 replaces it),
 * makes a limited number of them, hears their transitions, and only it may redeem them.
 */
export function qrRequesterConnection(qr: QrLogins, clock: Clock, send: (event: QrEvent) => void) {
  const creations = windowLimit(clock, QR_CREATES_PER_CONNECTION, QR_CREATE_WINDOW_SECONDS * 1000);
  const watching = new Map<string, () => void>();
  const stopWatching = () => {
    for (const unwatch of watching.values()) unwatch();
    watching.clear();
  };
  // A code created after the connection closed is not watched: nothing would stop watching it.
  let closed = false;
  // The connection's spent code, to tell it so if it redeems again; another connection learns nothing.
  let redeemedRef: string | undefined;
  return {
    async create(requester: QrRequester, publicKey: string): Promise<QrCreated> {
      creations.refuseWhenFull("RATE_LIMITED");
      creations.count();
      const created = await qr.create(requester, publicKey);
      stopWatching();
      if (closed) void qr.abandon(created.ref).catch(() => undefined);
      else watching.set(created.ref, qr.watch(created.ref, send));
      return created;
    },
    /** The result for the client, and the new session's token for a connection that keeps it. */
    async redeem(ref: string, proof: string): Promise<{ result: QrRedeemed; personId: string; token: string }> {
      if (ref === redeemedRef) throw new AppError("QR_ALREADY_USED");
      if (!watching.has(ref)) throw new AppError("QR_NOT_FOUND");
      const redeemed = await qr.redeem(ref, proof);
      redeemedRef = ref;
      stopWatching();
      return {
        result: {
          person: personSummary(redeemed.person),
          sealedToken: redeemed.sealedToken,
          expiresAt: new Date(redeemed.expiresAt).toISOString(),
          idleTimeout: SESSION_IDLE_TIMEOUT / 1000,
        },
        personId: redeemed.person.id,
        token: redeemed.token,
      };
    },
    close(): void {
      closed = true;
      stopWatching();
    },
  };
}

export type QrRequesterConnection = ReturnType<typeof qrRequesterConnection>;
