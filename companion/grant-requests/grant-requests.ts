import {
  GRANT_REQUEST_DAILY_MAX,
  GRANT_REQUEST_DAYS,
  GRANT_REQUEST_PENDING_MAX,
  type GrantRequestApprove,
  type GrantRequestCreate,
  type GrantRequestState,
  type GrantRequestView,
} from "../../shared/api/grant-requests.js";
import type { GRANT_REQUEST_CHANGES } from "../../shared/api/grants.js";
import type { Page, PageQuery } from "../../shared/api/paging.js";
import { maskDocumentNumber } from "../../shared/identity/documents.js";
import type { PeopleStore, Person } from "../accounts/people.js";
import type { AuditLog, GrantRequestAction } from "../audit/audit-log.js";
import { type Clock, DAY } from "../clock.js";
import { readPage } from "../db/paging.js";
import { AppError, secondsUntil } from "../errors.js";
import type { EventHub } from "../events/hub.js";
import type { GrantsService } from "../grants/grants.js";
import type { UnitsStore } from "../units/units.js";
import type { GrantRequest, GrantRequestListing, GrantRequestsStore } from "./store.js";

type Change = (typeof GRANT_REQUEST_CHANGES)[number];

export interface GrantRequestsDeps {
  store: GrantRequestsStore;
  clock: Clock;
  people: PeopleStore;
  units: UnitsStore;
  audit: AuditLog;
  hub: EventHub;
  grants: Pick<GrantsService, "today" | "managers" | "grantOnRequest" | "announce">;
}

/** A request's state at `now`: a 待审批 one past its 7 days is 已过期. */
const stateAt = (request: GrantRequest, now: number): GrantRequestState =>
  request.state === "待审批" && request.expiresAt <= now ? "已过期" : request.state;

const termOf = (request: GrantRequest) => ({
  permission: request.permission,
  termType: request.termType,
  startDate: request.startDate,
  endDate: request.endDate,
});

/**
 * 申请授权: a registered person asks a unit for a grant; the unit's managers approve it (the grant
 * is made by the grant rules, within the approver's own limits) or decline it with a reason; the
 * requester may withdraw it while it waits. Each step is in the unit's history and pushed to the
 * requester and the managers.
 */
export function grantRequestsService(deps: GrantRequestsDeps) {
  const { store, clock, people, units, grants } = deps;

  const personOrThrow = async (id: string): Promise<Person> => {
    const person = await people.byId(id);
    if (!person) throw new AppError("UNAUTHENTICATED");
    return person;
  };

  function view(request: GrantRequestListing, now: number): GrantRequestView {
    return {
      id: request.id,
      unit: { tin: request.unitTin, name: request.unitName },
      requester: {
        name: request.requester.name,
        docType: request.requester.docType,
        maskedDocNumber: maskDocumentNumber(request.requester.docNumber),
      },
      ...termOf(request),
      note: request.note,
      state: stateAt(request, now),
      reason: request.reason,
      createdAt: new Date(request.createdAt).toISOString(),
      expiresAt: new Date(request.expiresAt).toISOString(),
      decidedAt: request.decidedAt === null ? null : new Date(request.decidedAt).toISOString(),
    };
  }

  async function viewOf(id: string): Promise<GrantRequestView> {
    const listing = await store.listing(id);
    if (!listing) throw new AppError("GRANT_REQUEST_NOT_FOUND");
    return view(listing, clock.now());
  }

  function record(request: GrantRequest, actorId: string, role: string, action: GrantRequestAction, after: object) {
    return deps.audit.append({
      at: clock.now(),
      unitTin: request.unitTin,
      actorId,
      actorRole: role,
      action,
      grantId: request.id,
      before: null,
      after: { ...after },
    });
  }

  /** After the commit: anchor the history, tell the requester and the unit's managers. */
  async function announce(request: GrantRequest, change: Change): Promise<void> {
    const unit = await units.unit(request.unitTin);
    const event = (forRequester: boolean) => ({
      type: "grant-request-changed" as const,
      unitTin: request.unitTin,
      unitName: unit?.name ?? request.unitTin,
      requestId: request.id,
      change,
      forRequester,
    });
    deps.hub.publish([request.requesterId], event(true));
    const managerIds = await grants.managers.managerIds(request.unitTin, grants.today());
    deps.hub.publish(
      managerIds.filter((id) => id !== request.requesterId),
      event(false),
    );
    await deps.audit.anchorHead();
  }

  /** The actor's strongest role at the unit; refused when they do not manage it. */
  async function requireManager(actorId: string, tin: string): Promise<string> {
    const actor = await personOrThrow(actorId);
    await units.requireUnit(tin);
    const [role] = (await grants.managers.authority(actor, tin, grants.today())).roles;
    if (!role) throw new AppError("NOT_UNIT_MANAGER");
    return role;
  }

  /** The request, locked, still waiting at `now`; refused as decided or expired otherwise. */
  async function pending(id: string, now: number, belongs: (request: GrantRequest) => boolean): Promise<GrantRequest> {
    const request = await store.byIdForUpdate(id);
    if (!request || !belongs(request)) throw new AppError("GRANT_REQUEST_NOT_FOUND");
    const state = stateAt(request, now);
    if (state === "已过期") throw new AppError("GRANT_REQUEST_EXPIRED");
    if (state !== "待审批") throw new AppError("GRANT_REQUEST_DECIDED");
    return request;
  }

  /** Refuses a request the person has no use for, or one too many. */
  async function checkMayAsk(person: Person, ask: GrantRequestCreate, now: number): Promise<void> {
    const held = await grants.managers.activeGrants(person.id, ask.tin, grants.today());
    if (held.some((grant) => grant.permission === "管理权限" || grant.permission === ask.permission)) {
      throw new AppError("GRANT_REQUEST_HELD");
    }
    const waiting = await store.pendingOfPair(person.id, ask.tin);
    if (waiting && stateAt(waiting, now) === "待审批") throw new AppError("GRANT_REQUEST_PENDING");
    // The expired one frees the pair for this request.
    if (waiting) await store.decide({ ...waiting, state: "已过期", decidedAt: waiting.expiresAt });
    if ((await store.pendingCount(person.id, now)) >= GRANT_REQUEST_PENDING_MAX) {
      throw new AppError("GRANT_REQUEST_LIMIT");
    }
    const made = await store.madeSince(person.id, now - DAY);
    if (made.count >= GRANT_REQUEST_DAILY_MAX && made.oldest !== null) {
      throw new AppError("RATE_LIMITED", { retryAfter: secondsUntil(made.oldest + DAY, now) });
    }
  }

  return {
    /** 申请授权 by a registered person. */
    async ask(personId: string, ask: GrantRequestCreate): Promise<GrantRequestView> {
      const request = await store.transaction(async () => {
        const person = await personOrThrow(personId);
        await units.requireUnit(ask.tin);
        await store.lockRequester(person.id);
        const now = clock.now();
        await checkMayAsk(person, ask, now);
        const asked = {
          unitTin: ask.tin,
          requesterId: person.id,
          permission: ask.permission,
          termType: ask.termType,
          startDate: ask.startDate,
          endDate: ask.termType === "定期" ? (ask.endDate ?? null) : null,
          note: ask.note,
        };
        const expiresAt = now + GRANT_REQUEST_DAYS * DAY;
        const id = await store.insert(asked, now, expiresAt);
        const made: GrantRequest = {
          ...asked,
          id,
          state: "待审批",
          reason: null,
          decidedBy: null,
          decidedAt: null,
          createdAt: now,
          expiresAt,
        };
        await record(made, person.id, "申请人", "申请授权", { ...termOf(made), note: made.note });
        return made;
      });
      await announce(request, "asked");
      return viewOf(request.id);
    },

    /** The person's requests with their states, newest first. */
    async mine(personId: string, query: PageQuery): Promise<Page<GrantRequestView>> {
      await personOrThrow(personId);
      const now = clock.now();
      return readPage(store.ownRequests(personId), query, (request) => view(request, now));
    },

    /** 撤回 by the requester, while it waits. */
    async withdraw(personId: string, requestId: string): Promise<GrantRequestView> {
      const request = await store.transaction(async () => {
        await personOrThrow(personId);
        const now = clock.now();
        const before = await pending(requestId, now, (request) => request.requesterId === personId);
        const after: GrantRequest = { ...before, state: "已撤回", decidedBy: personId, decidedAt: now };
        await store.decide(after);
        await record(after, personId, "申请人", "撤回申请", { state: after.state });
        return after;
      });
      await announce(request, "withdrawn");
      return viewOf(request.id);
    },

    /** The unit's waiting requests, for its managers (oldest first). */
    async unitPending(actorId: string, tin: string, query: PageQuery): Promise<Page<GrantRequestView>> {
      await requireManager(actorId, tin);
      const now = clock.now();
      return readPage(store.unitPending(tin, now), query, (request) => view(request, now));
    },

    /** 批准 by a manager, with the permission and term they confirm: the grant in the same transaction. */
    async approve(actorId: string, tin: string, requestId: string, term: GrantRequestApprove) {
      const { request, grant, change } = await store.transaction(async () => {
        const role = await requireManager(actorId, tin);
        const now = clock.now();
        const before = await pending(requestId, now, (request) => request.unitTin === tin);
        const made = await grants.grantOnRequest(actorId, tin, before.requesterId, term);
        const after: GrantRequest = {
          ...before,
          ...termOf({ ...before, ...term, endDate: term.termType === "定期" ? (term.endDate ?? null) : null }),
          state: "已批准",
          decidedBy: actorId,
          decidedAt: now,
        };
        await store.decide(after);
        await record(after, actorId, role, "批准申请", { ...termOf(after), grantId: made.grant.id });
        return { request: after, ...made };
      });
      await grants.announce(grant, change);
      await announce(request, "approved");
      return viewOf(request.id);
    },

    /** 拒绝 by a manager, with the reason the requester is shown. */
    async decline(actorId: string, tin: string, requestId: string, reason: string): Promise<GrantRequestView> {
      const request = await store.transaction(async () => {
        const role = await requireManager(actorId, tin);
        const now = clock.now();
        const before = await pending(requestId, now, (request) => request.unitTin === tin);
        const after: GrantRequest = { ...before, state: "已拒绝", reason, decidedBy: actorId, decidedAt: now };
        await store.decide(after);
        await record(after, actorId, role, "拒绝申请", { reason });
        return after;
      });
      await announce(request, "declined");
      return viewOf(request.id);
    },
  };
}

export type GrantRequestsService = ReturnType<typeof grantRequestsService>;
