import { useEffect, useRef, useState } from "preact/hooks";
import { companion, type PersonSummary, type QrCreated, type QrEvent, type QrLoginSocket } from "./companion-client.js";
import { describeError } from "./describe-error.js";
import { t } from "./i18n.js";

/** A QR code on screen, and when it stops working (ms, this clock). */
export type ShownQr = QrCreated & { expiresAt: number };

/**
 * Where the 扫码登录 view stands: waiting → scanned (the other device read the code) → confirmed
 * (确认登录 there), or cancelled / expired.
 */
export type QrLoginState =
  | { phase: "starting" }
  | { phase: "waiting"; qr: ShownQr }
  | { phase: "scanned"; qr: ShownQr; approverName: string }
  /** 确认登录 was pressed on the other device: redeeming the sealed token. */
  | { phase: "confirmed"; qr: ShownQr }
  | { phase: "expired"; qr: ShownQr }
  | { phase: "cancelled"; qr: ShownQr }
  | { phase: "failed"; message: string };

/**
 * The requester's side of 扫码登录 while the view is mounted: one socket to the companion, a QR code
 * for a fresh key pair, its transitions as the companion pushes them, and the login on 确认登录.
 * `refresh()` (刷新) shows a new code, on the same socket when it is still open. The socket is
 * closed when the view goes away.
 */
export function useQrLogin(onLoggedIn: (person: PersonSummary) => void): {
  state: QrLoginState;
  refresh(): void;
  /** The countdown reached 0 before the companion said so. */
  expire(): void;
} {
  const [state, setState] = useState<QrLoginState>({ phase: "starting" });
  const socket = useRef<QrLoginSocket | null>(null);
  const opening = useRef<Promise<QrLoginSocket> | null>(null);
  const shownRef = useRef<string | null>(null);
  const generation = useRef(0);
  const mounted = useRef(true);
  const loggedIn = useRef(onLoggedIn);
  loggedIn.current = onLoggedIn;

  /** Moves the code on screen to its next state, unless it is no longer the one shown. */
  const follow = (from: QrLoginSocket, event: QrEvent) => {
    if (!mounted.current || event.ref !== shownRef.current) return;
    setState((current) => {
      if (!("qr" in current) || current.qr.ref !== event.ref) return current;
      switch (event.event) {
        case "qr.scanned":
          return current.phase === "waiting"
            ? { phase: "scanned", qr: current.qr, approverName: event.approverName }
            : current;
        case "qr.confirmed":
          return { phase: "confirmed", qr: current.qr };
        case "qr.cancelled":
          return { phase: "cancelled", qr: current.qr };
        case "qr.expired":
          return current.phase === "confirmed" ? current : { phase: "expired", qr: current.qr };
      }
    });
    if (event.event === "qr.confirmed") void redeem(from, event.ref);
  };

  const redeem = async (from: QrLoginSocket, ref: string) => {
    try {
      const person = await from.redeem(ref);
      if (mounted.current) loggedIn.current(person);
    } catch (error) {
      if (mounted.current && shownRef.current === ref) setState({ phase: "failed", message: describeError(error) });
    }
  };

  const open = async (): Promise<QrLoginSocket> => {
    const opened = await companion.qrLogin();
    if (!mounted.current) {
      opened.close();
      throw new Error("closed");
    }
    opened.onEvent((event) => follow(opened, event));
    opened.onClose(() => {
      if (socket.current !== opened) return;
      socket.current = null;
      if (!mounted.current) return;
      // A code still waiting can no longer be followed; one already used or ended stays as it is.
      setState((current) =>
        current.phase === "starting" || current.phase === "waiting" || current.phase === "scanned"
          ? { phase: "failed", message: t("qrLoginDisconnected") }
          : current,
      );
    });
    socket.current = opened;
    return opened;
  };
  /** The open socket, or one being opened: never two at once. */
  const connect = (): Promise<QrLoginSocket> => {
    if (socket.current) return Promise.resolve(socket.current);
    opening.current ??= open().finally(() => {
      opening.current = null;
    });
    return opening.current;
  };

  const refresh = async () => {
    const mine = ++generation.current;
    shownRef.current = null;
    setState({ phase: "starting" });
    try {
      const created = await (await connect()).show();
      if (!mounted.current || mine !== generation.current) return;
      shownRef.current = created.ref;
      setState({ phase: "waiting", qr: { ...created, expiresAt: Date.now() + created.expiresIn * 1000 } });
    } catch (error) {
      if (mounted.current && mine === generation.current) setState({ phase: "failed", message: describeError(error) });
    }
  };

  useEffect(() => {
    mounted.current = true;
    void refresh();
    return () => {
      mounted.current = false;
      socket.current?.close();
      socket.current = null;
    };
  }, []);

  return {
    state,
    refresh: () => void refresh(),
    expire: () =>
      setState((current) =>
        current.phase === "waiting" || current.phase === "scanned" ? { phase: "expired", qr: current.qr } : current,
      ),
  };
}
