import type { DesktopEvent } from "../../shared/desktop/protocol.js";
import type { Sessions } from "../accounts/sessions.js";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import type { QrLogins } from "../qr-login/qr-logins.js";
import { qrRequesterConnection } from "../qr-login/requester.js";
import { tokenDigest } from "../security/secrets.js";
import type { DesktopPairing } from "./pairing.js";
import type { EntryVia, UnitSessions } from "./unit-sessions.js";
import type { ListViewer, UnitListService } from "./units-list.js";

const SESSION_CHECK_MS = 1_000;
/**
 * A login checked against the database is trusted for this long by the connection's next
 * requests: an ended login is noticed by then anyway (the check above, or at once when told), and
 * a desktop's burst of requests costs one read, not one each (a network round trip in an office).
 */
const LOGIN_REUSE_MS = SESSION_CHECK_MS;

export interface DesktopConnectionDeps {
  clock: Clock;
  sessions: Pick<Sessions, "authenticate" | "isLive" | "end" | "onEnd">;
  unitSessions: Pick<UnitSessions, "open" | "close" | "recheck">;
  pairing: Pick<DesktopPairing, "attach" | "withdraw">;
  qrLogins: QrLogins;
  /** A login's own 单位管理 order ends with it. */
  unitLists: Pick<UnitListService, "endSession">;
}

/** How a connection reaches its client. */
export interface DesktopPeer {
  send(event: DesktopEvent): void;
  close(code: number, reason: string): void;
}

/** How a unit was entered, which decides what ends its session. */
export interface UnitEntry {
  tin: string;
  via: EntryVia;
  passwordVersion: number;
  validUntil?: number;
}

/**
 * What one desktop connection holds between its requests — the paired client it speaks for, the
 * person's login, the units entered, outstanding CA challenges, a pending pairing request — and
 * how each of them ends when the connection does.
 */
export function desktopConnection(deps: DesktopConnectionDeps, peer: DesktopPeer) {
  let client: { id: string; name: string } | null = null;
  let stopHearingRevocation: (() => void) | null = null;
  /** The login held, with the digest of its token that names it in the database. */
  let login: { token: string; personId: string; digest: string } | null = null;
  /** Until when the login's last check against the database stands (see LOGIN_REUSE_MS). */
  let verifiedUntil = 0;
  /**
   * Once the socket has closed, requests still under way must not register anything new (a login,
   * a pairing, a unit session): nothing would ever remove it, and the closed connection would live on.
   */
  let closed = false;
  let stopHearingEnds: (() => void) | null = null;
  /** The units entered: 纳税人识别号 → unit session id. */
  const entered = new Map<string, string>();

  function leaveAll(): void {
    for (const sessionId of entered.values()) deps.unitSessions.close(sessionId);
    entered.clear();
  }

  /** What the connection kept for a login it no longer holds goes. */
  const letGo = (held: { digest: string }) => void deps.unitLists.endSession(held.digest).catch(() => undefined);

  /** The connection holds `session` (or no login), and hears when one of its person's sessions ends. */
  function hold(session: { token: string; personId: string } | null): void {
    // A login answered after the socket closed is not kept (nor listened for): it ends at once.
    if (closed) {
      if (session) endLogin(session.token, "disconnected");
      return;
    }
    stopHearingEnds?.();
    if (login) letGo(login);
    login = session && { ...session, digest: tokenDigest(session.token) };
    verifiedUntil = 0;
    stopHearingEnds = session && deps.sessions.onEnd(session.personId, checkSoon);
  }

  // The login may end elsewhere (idle, 12 hours, logout, 忘记密码 — here or on another companion of
  // the office): say so, and leave the units.
  let checking = false;
  async function checkLogin(): Promise<void> {
    const held = login;
    if (!held || (await deps.sessions.isLive(held.digest)) || login !== held) return;
    // Units whose own access ended too are told so first, with their own reason.
    await deps.unitSessions.recheck(entered.keys());
    hold(null);
    leaveAll();
    peer.send({ event: "session.ended", reason: "登录已失效，请重新登录" });
  }
  /** At once when told of an ended session, and every second for the rest (idle, 12 hours). */
  function checkSoon(): void {
    if (checking) return;
    checking = true;
    // A database that cannot answer now is asked again at the next check.
    checkLogin()
      .catch(() => undefined)
      .finally(() => {
        checking = false;
      });
  }
  const sessionCheck = setInterval(checkSoon, SESSION_CHECK_MS);
  /** Ends a login the connection no longer holds; a database already closed (shutdown) lets it expire idle. */
  const endLogin = (token: string, reason: string) => void deps.sessions.end(token, reason).catch(() => undefined);

  const connection = {
    send: peer.send,
    /** 扫码登录 as the requester: the connection's QR code and the events it hears. */
    qrRequester: qrRequesterConnection(deps.qrLogins, deps.clock, peer.send),
    /** Outstanding CA challenges: 纳税人识别号 → the challenge and when it was made. */
    challenges: new Map<string, { challenge: string; at: number }>(),
    /** The connection's pairing request while it waits for the person's answer. */
    pendingPairing: null as string | null,

    /** The paired client this connection speaks for; null before pairing or hello. */
    get client() {
      return client;
    },
    /** From now on the connection speaks for a paired client, until the person revokes it. */
    pairAs(paired: { id: string; name: string }): void {
      if (closed) return;
      stopHearingRevocation?.();
      client = paired;
      stopHearingRevocation = deps.pairing.attach(paired.id, () => {
        peer.send({ event: "client.revoked" });
        peer.close(4403, "client revoked");
      });
    },

    /** Whose login the connection holds, without touching it. */
    get loggedInAs(): string | null {
      return login?.personId ?? null;
    },
    /** The person logged in on the connection; the login's idle timer moves with each request. */
    async requireLogin(): Promise<string> {
      return (await connection.requireSession()).personId;
    },
    /** As requireLogin, with the login itself (the digest of its token): 单位管理's order is the login's. */
    async requireSession(): Promise<ListViewer> {
      const held = login;
      if (!held) throw new AppError("NOT_LOGGED_IN");
      if (deps.clock.now() >= verifiedUntil) {
        await deps.sessions.authenticate(held.token);
        if (login === held) verifiedUntil = deps.clock.now() + LOGIN_REUSE_MS;
      }
      return { personId: held.personId, session: held.digest };
    },
    /** A new login replaces the connection's previous one. */
    signIn(session: { token: string; personId: string }): void {
      if (login) endLogin(login.token, "replaced");
      hold(session);
    },
    signOut(): void {
      if (login) endLogin(login.token, "logout");
      hold(null);
      leaveAll();
    },

    /** Opens the unit's session (replacing one the connection had there), told when it ends. */
    enterUnit(personId: string, unit: UnitEntry): void {
      if (closed) return;
      const previous = entered.get(unit.tin);
      if (previous) deps.unitSessions.close(previous);
      const end = (reason: string) => {
        entered.delete(unit.tin);
        peer.send({ event: "unit.ended", tin: unit.tin, reason });
      };
      entered.set(unit.tin, deps.unitSessions.open({ personId, ...unit, end }));
    },
    leaveUnit(tin: string): void {
      const sessionId = entered.get(tin);
      if (!sessionId) throw new AppError("NOT_IN_UNIT");
      deps.unitSessions.close(sessionId);
      entered.delete(tin);
    },

    /** The socket closed: everything the connection held ends with it. */
    close(): void {
      closed = true;
      clearInterval(sessionCheck);
      stopHearingEnds?.();
      if (connection.pendingPairing) deps.pairing.withdraw(connection.pendingPairing);
      connection.qrRequester.close();
      stopHearingRevocation?.();
      leaveAll();
      if (login) {
        endLogin(login.token, "disconnected");
        letGo(login);
      }
    },
  };
  return connection;
}

export type DesktopConnection = ReturnType<typeof desktopConnection>;
