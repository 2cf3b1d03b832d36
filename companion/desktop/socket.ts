import type { FastifyBaseLogger, FastifyPluginAsync } from "fastify";
import type { RawData, WebSocket } from "ws";
import type { PageQuery } from "../../shared/api/paging.js";
import {
  DESKTOP_HEARTBEAT_MS,
  DESKTOP_IDLE_TIMEOUT_MS,
  DESKTOP_MAX_RATE_VIOLATIONS,
  DESKTOP_PATH,
  DESKTOP_RATE_BURST,
  DESKTOP_RATE_PER_SECOND,
  type DesktopEvent,
  type DesktopReply,
  type DesktopRequest,
  type DesktopResult,
  desktopRequestSchema,
} from "../../shared/desktop/protocol.js";
import { personSummary } from "../accounts/people.js";
import { CHALLENGE_TTL_MS } from "../ca/ca-entry.js";
import type { Core } from "../core.js";
import { AppError, parseInput } from "../errors.js";
import { qrRequesterConnection } from "../qr-login/requester.js";
import { tokenDigest } from "../security/secrets.js";
import { readFrame } from "../sockets/frames.js";
import { directAccess } from "./access.js";
import { enterUnit, forgotDeclarationPassword, type UnitEntryDeps } from "./unit-entry.js";
import { type EntryVia, type UnitSessions, unitSessions } from "./unit-sessions.js";

const SESSION_CHECK_MS = 1_000;

/** Requests an unpaired connection may make. */
const BEFORE_PAIRING = new Set<DesktopRequest["type"]>(["pair.request", "hello", "ping"]);

/**
 * One desktop client connection: limits, then pairing, then the person's login, then requests.
 * Every frame gets a reply (or the connection is closed); nothing a client sends can crash the
 * companion.
 */
function serveDesktopClient(
  socket: WebSocket,
  core: Core,
  sessions: UnitSessions,
  entry: UnitEntryDeps,
  log: FastifyBaseLogger,
): void {
  let client: { id: string; name: string } | null = null;
  let detach: (() => void) | null = null;
  let session: { token: string; personId: string } | null = null;
  let pairingId: string | null = null;
  /** The units this connection has entered: 纳税人识别号 → unit session id. */
  const entered = new Map<string, string>();
  /** Outstanding CA challenges: 纳税人识别号 → challenge and when it was made. */
  const challenges = new Map<string, { challenge: string; at: number }>();
  let tokens = DESKTOP_RATE_BURST;
  let lastRefill = Date.now();
  let violations = 0;
  let alive = true;

  const send = (message: DesktopReply | DesktopEvent) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const qrRequester = qrRequesterConnection(core.qrLogins, send);
  const fail = (id: string | null, error: AppError) => send({ id, ok: false, ...error.toBody() });

  const heartbeat = setInterval(() => {
    if (!alive) return socket.terminate();
    alive = false;
    socket.ping();
  }, DESKTOP_HEARTBEAT_MS);
  // The login may end elsewhere (idle, 12 hours, logout, 忘记密码): say so, and leave the units.
  const sessionCheck = setInterval(() => {
    if (!session || core.sessions.isLive(tokenDigest(session.token))) return;
    // Units whose own access ended too are told so first, with their own reason.
    sessions.recheck(entered.keys());
    session = null;
    leaveAll();
    send({ event: "session.ended", reason: "登录已失效，请重新登录" });
  }, SESSION_CHECK_MS);
  let idle = setTimeout(() => socket.close(4408, "idle"), DESKTOP_IDLE_TIMEOUT_MS);
  socket.on("pong", () => {
    alive = true;
  });

  function withinRate(): boolean {
    const now = Date.now();
    tokens = Math.min(DESKTOP_RATE_BURST, tokens + ((now - lastRefill) / 1000) * DESKTOP_RATE_PER_SECOND);
    lastRefill = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    violations += 1;
    return false;
  }

  /** The logged-in person; the session's idle timer moves with each request. */
  function loggedIn(): string {
    if (!session) throw new AppError("NOT_LOGGED_IN");
    return core.sessions.authenticate(session.token).personId;
  }

  function loggedInPerson() {
    const person = core.people.byId(loggedIn());
    if (!person) throw new AppError("UNAUTHENTICATED");
    return person;
  }

  const unitsPage = (query: PageQuery): DesktopResult<"units.list"> =>
    core.unitLists.page(loggedInPerson(), core.grants.today(), query);

  function openUnitSession(
    personId: string,
    entry: { tin: string; via: EntryVia; passwordVersion: number; validUntil?: number },
  ): void {
    const previous = entered.get(entry.tin);
    if (previous) sessions.close(previous);
    const end = (reason: string) => {
      entered.delete(entry.tin);
      send({ event: "unit.ended", tin: entry.tin, reason });
    };
    entered.set(entry.tin, sessions.open({ personId, ...entry, end }));
  }

  function leaveAll(): void {
    for (const sessionId of entered.values()) sessions.close(sessionId);
    entered.clear();
  }

  /** From now on this connection speaks for a paired client, until the person revokes it. */
  function becomePaired(paired: { id: string; name: string }): void {
    detach?.();
    client = paired;
    detach = core.desktopPairing.attach(paired.id, () => {
      send({ event: "client.revoked" });
      socket.close(4403, "client revoked");
    });
  }

  async function handle(request: DesktopRequest): Promise<unknown> {
    if (!client && !BEFORE_PAIRING.has(request.type)) throw new AppError("NOT_PAIRED");
    switch (request.type) {
      case "ping":
        return {};
      case "units.order":
        return { tin: request.tin, position: core.unitLists.move(loggedIn(), request.tin, request.to) };
      case "unit.enter": {
        const personId = loggedIn();
        const result = await enterUnit(entry, personId, request);
        openUnitSession(personId, result);
        return { tin: result.tin, name: result.name, via: result.via };
      }
      case "unit.challenge": {
        loggedIn();
        core.units.requireUnit(request.tin);
        if (!core.units.isLocal(request.tin)) throw new AppError("CA_NOT_ALLOWED");
        const challenge = core.ca.newChallenge();
        challenges.set(request.tin, { challenge, at: Date.now() });
        return { tin: request.tin, challenge, expiresIn: CHALLENGE_TTL_MS / 1000 };
      }
      case "unit.enter.ca": {
        const personId = loggedIn();
        const unit = core.units.requireUnit(request.tin);
        if (!core.units.isLocal(unit.tin)) throw new AppError("CA_NOT_ALLOWED");
        const issued = challenges.get(unit.tin);
        // A challenge is good for one try, and for a minute.
        challenges.delete(unit.tin);
        if (!issued || issued.challenge !== request.challenge || Date.now() - issued.at > CHALLENGE_TTL_MS) {
          throw new AppError("CA_CHALLENGE_EXPIRED");
        }
        const { validUntil } = core.ca.verify(unit.tin, request.challenge, request.certificates, request.signature);
        openUnitSession(personId, { tin: unit.tin, via: "ca", passwordVersion: 0, validUntil });
        return { tin: unit.tin, name: unit.name, via: "ca" as const };
      }
      case "unit.leave": {
        loggedIn();
        const sessionId = entered.get(request.tin);
        if (!sessionId) throw new AppError("NOT_IN_UNIT");
        sessions.close(sessionId);
        entered.delete(request.tin);
        return {};
      }
      case "declaration.forgot":
        loggedIn();
        return forgotDeclarationPassword(entry, request.tin);
      case "pair.request": {
        if (pairingId) core.desktopPairing.withdraw(pairingId);
        const opened = core.desktopPairing.request(request.clientName, (decision) => {
          pairingId = null;
          if (decision.outcome === "approved") {
            becomePaired(decision.client);
            send({ event: "pair.approved", clientToken: decision.clientToken });
          } else {
            send({ event: decision.outcome === "denied" ? "pair.denied" : "pair.expired" });
          }
        });
        pairingId = opened.id;
        return { code: opened.code, expiresIn: opened.expiresIn };
      }
      case "hello": {
        const paired = core.desktopPairing.authenticate(request.clientToken);
        if (!paired) throw new AppError("NOT_PAIRED");
        becomePaired(paired);
        const person = session ? core.people.byId(session.personId) : null;
        return { clientName: paired.name, person: person ? personSummary(person) : null };
      }
      case "captcha":
        return core.captchas.issue();
      case "login": {
        const { type: _type, id: _id, ...credentials } = request;
        const result = await core.login(credentials);
        if (session) core.sessions.end(session.token, "replaced");
        session = { token: result.token, personId: result.person.id };
        return { person: personSummary(result.person) };
      }
      case "logout":
        if (session) core.sessions.end(session.token, "logout");
        session = null;
        leaveAll();
        return {};
      case "units.list":
        return unitsPage(request);
      case "qr.create": {
        // Paired (checked above): the approver sees the name the person approved at pairing.
        const { id, name } = client!;
        return qrRequester.create({ id: `desktop:${id}`, kind: "desktop", name }, request.publicKey);
      }
      case "qr.redeem": {
        const redeemed = qrRequester.redeem(request.ref, request.proof);
        if (session) core.sessions.end(session.token, "replaced");
        session = { token: redeemed.token, personId: redeemed.personId };
        return redeemed.result;
      }
      case "qr.scan":
        return core.qrLogins.scan(loggedIn(), request.qrText);
      case "qr.confirm":
        core.qrLogins.confirm(loggedIn(), request.ref);
        return {};
      case "qr.cancel":
        core.qrLogins.cancel(loggedIn(), request.ref);
        return {};
      case "units.add": {
        const person = loggedInPerson();
        const unit = core.units.requireUnit(request.tin);
        const position = core.unitLists.add(person.id, unit.tin);
        const access = directAccess(core.grants.managers, person, unit.tin, core.grants.today());
        return {
          tin: unit.tin,
          position,
          unit: { ...unit, access: access ? ("direct" as const) : ("password" as const) },
        };
      }
    }
  }

  socket.on("message", (data: RawData, isBinary: boolean) => {
    clearTimeout(idle);
    idle = setTimeout(() => socket.close(4408, "idle"), DESKTOP_IDLE_TIMEOUT_MS);
    const { frame, id } = readFrame(data, isBinary);
    if (!withinRate()) {
      if (violations > DESKTOP_MAX_RATE_VIOLATIONS) return socket.close(4429, "rate limit");
      return fail(id, new AppError("RATE_LIMITED", { retryAfter: 1 }));
    }
    if (frame === undefined) return fail(null, new AppError("BAD_REQUEST"));
    // Before pairing, only a few requests are even read: nothing costly for an unknown client.
    const type = (frame as { type?: unknown })?.type;
    if (!client && !BEFORE_PAIRING.has(type as DesktopRequest["type"]) && typeof type === "string") {
      return fail(id, new AppError("NOT_PAIRED"));
    }
    let request: DesktopRequest;
    try {
      request = parseInput(desktopRequestSchema, frame);
    } catch (error) {
      return fail(id, error as AppError);
    }
    handle(request).then(
      (result) => send({ id: request.id, ok: true, result }),
      (error: unknown) => {
        if (error instanceof AppError) return fail(request.id, error);
        log.error({ err: error, type: request.type }, "desktop request failed");
        socket.close(1011, "internal error");
      },
    );
  });

  socket.on("close", () => {
    clearInterval(heartbeat);
    clearInterval(sessionCheck);
    clearTimeout(idle);
    if (pairingId) core.desktopPairing.withdraw(pairingId);
    qrRequester.close();
    detach?.();
    leaveAll();
    // At shutdown the database closes before the last sockets report; those sessions expire idle.
    if (session && core.db.open) core.sessions.end(session.token, "disconnected");
  });
  socket.on("error", () => socket.terminate());
}

/** ws://127.0.0.1:<port>/desktop — the desktop filing clients' socket (docs/desktop-protocol.md). */
const desktopRoutes: FastifyPluginAsync = async (app) => {
  const { core } = app;
  const sessions = unitSessions({
    clock: core.clock,
    today: core.grants.today,
    people: core.people,
    managers: core.grants.managers,
    declarationPasswords: core.declarationPasswords,
    changes: core.unitChanges,
  });
  const entry: UnitEntryDeps = {
    db: core.db,
    clock: core.clock,
    captchas: core.captchas,
    units: core.units,
    people: core.people,
    managers: core.grants.managers,
    today: core.grants.today,
    declarationPasswords: core.declarationPasswords,
    declarationAlerts: core.declarationAlerts,
    appDownloadUrl: core.config.appDownloadUrl,
  };
  app.addHook("onClose", async () => sessions.stop());
  app.get(DESKTOP_PATH, { websocket: true }, (socket: WebSocket, request) =>
    serveDesktopClient(socket, core, sessions, entry, request.log),
  );
};

export default desktopRoutes;
