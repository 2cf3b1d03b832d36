import type { Readable } from "node:stream";
import type {
  GRANT_CHANGES,
  GrantChangeRequest,
  GrantCreateRequest,
  GrantView,
  HistoryEntry,
  HistoryFilter,
  HistoryQuery,
  ManagedUnit,
  MyGrant,
  Unit,
  UnitDetailResponse,
} from "../../shared/api/grants.js";
import { isLiveStatus } from "../../shared/api/grants.js";
import type { Page, PageQuery } from "../../shared/api/paging.js";
import { addDays, shanghaiDate, shanghaiTime } from "../../shared/dates.js";
import { maskDocumentNumber } from "../../shared/identity/documents.js";
import type { PeopleStore, Person } from "../accounts/people.js";
import type { AuditLog, GrantAction } from "../audit/audit-log.js";
import { historyCsv, historyEntry } from "../audit/history-export.js";
import type { Clock } from "../clock.js";
import { csvStream, fileNamePart } from "../db/csv.js";
import { readPage } from "../db/paging.js";
import { AppError } from "../errors.js";
import type { EventHub } from "../events/hub.js";
import type { UnitChanges } from "../events/unit-changes.js";
import type { UnitsStore } from "../units/units.js";
import { type Authority, managers as managersOf } from "./managers.js";
import { grantStatus } from "./status.js";
import { type Grant, type GrantListing, type GrantsStore, newGrant } from "./store.js";

export const ENDING_SOON_DAYS = 7;
/** Counts kept at most (a person's managed units, a unit's grants, per date) before starting over. */
const MAX_KEPT_COUNTS = 10_000;

type Change = (typeof GRANT_CHANGES)[number];

export interface GrantsDeps {
  store: GrantsStore;
  clock: Clock;
  people: PeopleStore;
  units: UnitsStore;
  audit: AuditLog;
  hub: EventHub;
  changes: UnitChanges;
}

/** The grant's term as kept in the history (before/after). */
const termSnapshot = (grant: Grant) => ({
  permission: grant.permission,
  termType: grant.termType,
  startDate: grant.startDate,
  endDate: grant.endDate,
  endedBy: grant.endedBy,
});

/**
 * 企业办税权限: every decision about grants — who may add, change and revoke them, what a 管理权限
 * holder may not do, what the grantee may renounce and delete. Status is computed from the clock's
 * Asia/Shanghai date at the moment of each decision.
 */
export function grantsService(deps: GrantsDeps) {
  const { store, clock, people, units } = deps;
  const managers = managersOf(people, units, store);
  const today = () => shanghaiDate(clock.now());

  /**
   * Counts that read a long list (the units a person manages, a unit's live grants): kept for the
   * day until any grant or office changes — at once for this process's changes, within the change
   * feed's second for another's. They are shown, never decided on.
   */
  const counts = new Map<string, number>();
  deps.changes.onAnyChange(() => counts.clear());
  const counted = async (key: string, count: () => Promise<number>): Promise<number> => {
    const known = counts.get(key);
    if (known !== undefined) return known;
    const value = await count();
    if (counts.size >= MAX_KEPT_COUNTS) counts.clear();
    counts.set(key, value);
    return value;
  };
  /** The live and 需复核 grant counts of a page's units, counting only those not known yet. */
  async function unitCountsOf(tins: string[], date: string): Promise<Map<string, { live: number; review: number }>> {
    const missing = tins.filter((tin) => !counts.has(`live ${tin} ${date}`) || !counts.has(`review ${tin} ${date}`));
    const fresh = missing.length > 0 ? await store.unitCounts(missing, date) : () => ({ live: 0, review: 0 });
    const found = new Map<string, { live: number; review: number }>();
    for (const tin of tins) {
      found.set(tin, {
        live: await counted(`live ${tin} ${date}`, async () => fresh(tin).live),
        review: await counted(`review ${tin} ${date}`, async () => fresh(tin).review),
      });
    }
    return found;
  }

  const personOrThrow = async (id: string): Promise<Person> => {
    const person = await people.byId(id);
    if (!person) throw new AppError("UNAUTHENTICATED");
    return person;
  };

  function view(grant: GrantListing, date: string): GrantView {
    return {
      id: grant.id,
      unitTin: grant.unitTin,
      grantee: {
        name: grant.grantee.name,
        docType: grant.grantee.docType,
        maskedDocNumber: maskDocumentNumber(grant.grantee.docNumber),
      },
      permission: grant.permission,
      termType: grant.termType,
      startDate: grant.startDate,
      endDate: grant.endDate,
      status: grantStatus(grant, date),
      grantedBy: { name: grant.grantorName ?? "", role: grant.grantedAs },
      needsReview: grant.needsReview,
      createdAt: new Date(grant.createdAt).toISOString(),
      updatedAt: new Date(grant.updatedAt).toISOString(),
    };
  }

  /** The view of a grant as it now stands, read back with the names and 需复核 it shows. */
  async function viewOf(grantId: string): Promise<GrantView> {
    const date = today();
    const listing = await store.listing(grantId, date);
    if (!listing) throw new AppError("GRANT_NOT_FOUND");
    return view(listing, date);
  }

  /** The actor's authority at the unit, and the unit itself (read once, for callers that show it). */
  async function requireAuthority(actor: Person, tin: string, date: string): Promise<Authority & { unit: Unit }> {
    const unit = await units.requireUnit(tin);
    const authority = await managers.authority(actor, tin, date);
    if (authority.roles.length === 0) throw new AppError("NOT_UNIT_MANAGER");
    return { ...authority, unit };
  }

  /** A 管理权限 holder (with no office) may not grant beyond their own end date. */
  function checkWithinOwnTerm(authority: Authority, term: GrantChangeRequest): void {
    const own = authority.managementGrant;
    const onlyByGrant = authority.roles.length === 1 && own !== null;
    if (!onlyByGrant || own.endDate === null) return;
    if (term.termType === "长期" || (term.endDate ?? "") > own.endDate) {
      throw new AppError("BEYOND_OWN_TERM", {}, `授权期限不能超出您自己的管理权限期限（${own.endDate}）`);
    }
  }

  async function grantInUnit(tin: string, grantId: string): Promise<Grant> {
    const grant = await store.byId(grantId);
    if (!grant || grant.unitTin !== tin) throw new AppError("GRANT_NOT_FOUND");
    return grant;
  }

  /** A 管理权限 holder (with no office) may not touch their own grant. */
  function checkNotOwn(authority: Authority, actor: Person, grant: Grant): void {
    const onlyByGrant = authority.roles.length === 1 && authority.managementGrant !== null;
    if (onlyByGrant && grant.granteeId === actor.id) throw new AppError("OWN_GRANT");
  }

  /** The history entry of a change, and the unit's change for the sessions it may end (same transaction). */
  async function record(actor: Person, role: string, action: GrantAction, before: Grant | null, after: Grant | null) {
    const grant = (after ?? before) as Grant;
    await deps.changes.record(grant.unitTin, "grant");
    await deps.audit.append({
      at: clock.now(),
      unitTin: grant.unitTin,
      actorId: actor.id,
      actorRole: role,
      action,
      grantId: grant.id,
      before: before ? termSnapshot(before) : null,
      after: after ? termSnapshot(after) : null,
    });
  }

  /** After the commit: anchor the history, tell the grantee and the unit's managers. */
  async function announce(grant: Grant, change: Change): Promise<void> {
    const date = today();
    const unit = await units.unit(grant.unitTin);
    const event = (forGrantee: boolean) => ({
      type: "grant-changed" as const,
      unitTin: grant.unitTin,
      unitName: unit?.name ?? grant.unitTin,
      grantId: grant.id,
      change,
      forGrantee,
    });
    deps.hub.publish([grant.granteeId], event(true));
    const managerIds = await managers.managerIds(grant.unitTin, date);
    deps.hub.publish(
      managerIds.filter((managerId) => managerId !== grant.granteeId),
      event(false),
    );
    await deps.changes.poll();
    await deps.audit.anchorHead();
  }

  const strongestRole = (authority: Authority) => authority.roles[0] as string;

  /** 新增授权 by a manager whose authority is checked, to a grantee with no live grant there. */
  async function grantTo(
    actor: Person,
    authority: Authority,
    tin: string,
    granteeId: string,
    term: GrantChangeRequest,
  ): Promise<Grant> {
    checkWithinOwnTerm(authority, term);
    const role = strongestRole(authority);
    const created = newGrant(
      {
        unitTin: tin,
        granteeId,
        permission: term.permission,
        termType: term.termType,
        startDate: term.startDate,
        endDate: term.termType === "定期" ? (term.endDate ?? null) : null,
        grantedBy: actor.id,
        grantedAs: role as Grant["grantedAs"],
        grantorGrantId: role === "管理权限" ? (authority.managementGrant?.id ?? null) : null,
      },
      clock.now(),
    );
    await store.insert(created);
    await record(actor, role, "新增授权", null, created);
    return created;
  }

  /** 变更 of a live grant's permission and term, within the manager's own term. */
  async function changeTerm(before: Grant, authority: Authority, term: GrantChangeRequest, now: number) {
    checkWithinOwnTerm(authority, term);
    const after: Grant = {
      ...before,
      permission: term.permission,
      termType: term.termType,
      startDate: term.startDate,
      endDate: term.termType === "定期" ? (term.endDate ?? null) : null,
      // A manager who changed the grant has looked at it.
      reviewedAt: now,
      termSetAt: now,
      updatedAt: now,
    };
    await store.updateTerm(after);
    return after;
  }

  /**
   * A manager's action on an existing grant of the unit (变更, 解除授权, 复核保留): authority, the
   * grant, the 管理权限 holder's own-grant rule, then `apply` and the history — one transaction.
   */
  async function managerAction(
    actorId: string,
    tin: string,
    grantId: string,
    action: GrantAction,
    change: Change,
    apply: (context: { before: Grant; authority: Authority; date: string; now: number }) => Promise<Grant>,
  ): Promise<GrantView> {
    const grant = await store.transaction(async () => {
      const actor = await personOrThrow(actorId);
      const date = today();
      const authority = await requireAuthority(actor, tin, date);
      const before = await grantInUnit(tin, grantId);
      checkNotOwn(authority, actor, before);
      const after = await apply({ before, authority, date, now: clock.now() });
      await record(actor, strongestRole(authority), action, before, after);
      return after;
    });
    await announce(grant, change);
    return viewOf(grant.id);
  }

  return {
    today,
    store,
    managers,

    /** 企业办税权限: a page of the units the person manages, with their live and 需复核 grant counts. */
    async managedUnits(actorId: string, query: PageQuery): Promise<Page<ManagedUnit>> {
      const actor = await personOrThrow(actorId);
      const date = today();
      const managed = store.managedUnits(actor, date);
      const page = await readPage(
        { ...managed, count: () => counted(`managed ${actor.id} ${date}`, managed.count) },
        query,
        (unit) => unit,
      );
      const counts = await unitCountsOf(
        page.items.map((unit) => unit.tin),
        date,
      );
      return {
        ...page,
        items: page.items.map((unit) => ({
          ...unit,
          grantCount: counts.get(unit.tin)?.live ?? 0,
          reviewCount: counts.get(unit.tin)?.review ?? 0,
        })),
      };
    },

    async unitDetail(actorId: string, tin: string): Promise<UnitDetailResponse> {
      const actor = await personOrThrow(actorId);
      const date = today();
      const authority = await requireAuthority(actor, tin, date);
      const onlyByGrant = authority.roles.length === 1 && authority.managementGrant !== null;
      const counts = (await unitCountsOf([tin], date)).get(tin);
      return {
        unit: authority.unit,
        roles: authority.roles,
        grantLimit: onlyByGrant ? { endDate: authority.managementGrant?.endDate ?? null } : null,
        ownGrantId: authority.managementGrant?.id ?? null,
        liveGrantCount: counts?.live ?? 0,
        reviewCount: counts?.review ?? 0,
      };
    },

    /** A page of the unit's grants, for its managers. */
    async unitGrants(actorId: string, tin: string, query: PageQuery): Promise<Page<GrantView>> {
      const date = today();
      await requireAuthority(await personOrThrow(actorId), tin, date);
      return readPage(store.unitGrants(tin, date), query, (grant) => view(grant, date));
    },

    async add(actorId: string, tin: string, request: GrantCreateRequest): Promise<GrantView> {
      const grant = await store.transaction(async () => {
        const actor = await personOrThrow(actorId);
        const authority = await requireAuthority(actor, tin, today());
        const grantee = await people.byDocument(request.docType, request.docNumber);
        if (!grantee || grantee.name !== request.name) throw new AppError("GRANTEE_NOT_REGISTERED");
        if (grantee.id === actor.id) throw new AppError("SELF_GRANT");
        if ((await store.liveOfPair(grantee.id, tin, today())).length > 0) throw new AppError("GRANT_EXISTS");
        return grantTo(actor, authority, tin, grantee.id, request);
      });
      await announce(grant, "added");
      return viewOf(grant.id);
    },

    /**
     * 批准申请, inside the caller's transaction: the requester's grant made — or, when they hold a
     * live 办税权限 there, raised by 变更 — with a manager's rules; announce() it after the commit.
     */
    async grantOnRequest(
      actorId: string,
      tin: string,
      granteeId: string,
      term: GrantChangeRequest,
    ): Promise<{ grant: Grant; change: Change }> {
      const actor = await personOrThrow(actorId);
      const date = today();
      const authority = await requireAuthority(actor, tin, date);
      if (granteeId === actor.id) throw new AppError("SELF_GRANT");
      const [held] = await store.liveOfPair(granteeId, tin, date);
      if (!held) return { grant: await grantTo(actor, authority, tin, granteeId, term), change: "added" };
      checkNotOwn(authority, actor, held);
      const after = await changeTerm(held, authority, term, clock.now());
      await record(actor, strongestRole(authority), "变更", held, after);
      return { grant: after, change: "changed" };
    },
    announce,

    change: (actorId: string, tin: string, grantId: string, request: GrantChangeRequest) =>
      managerAction(actorId, tin, grantId, "变更", "changed", async ({ before, authority, date, now }) => {
        if (!isLiveStatus(grantStatus(before, date))) throw new AppError("GRANT_ENDED");
        return changeTerm(before, authority, request, now);
      }),

    revoke: (actorId: string, tin: string, grantId: string) =>
      managerAction(actorId, tin, grantId, "解除授权", "revoked", async ({ before, date, now }) => {
        if (!isLiveStatus(grantStatus(before, date))) throw new AppError("GRANT_ENDED");
        await store.end(grantId, "unit", now);
        return { ...before, endedAt: now, endedBy: "unit", updatedAt: now };
      }),

    review: (actorId: string, tin: string, grantId: string) =>
      managerAction(actorId, tin, grantId, "复核保留", "reviewed", async ({ before, date, now }) => {
        if (!(await store.listing(before.id, date))?.needsReview) throw new AppError("NOTHING_TO_REVIEW");
        await store.markReviewed(grantId, now);
        return { ...before, reviewedAt: now, updatedAt: now };
      }),

    /** A page of the unit's history, newest first, under the query's filters. */
    async history(actorId: string, tin: string, query: HistoryQuery): Promise<Page<HistoryEntry>> {
      await requireAuthority(await personOrThrow(actorId), tin, today());
      const { from, to, actor, grantee, action, ...page } = query;
      return readPage(deps.audit.unitHistory(tin, { from, to, actor, grantee, action }), page, historyEntry);
    },

    /** 我的办税权限: a page of the person's grants, and what the popup's badge and links need. */
    async myGrants(
      personId: string,
      query: PageQuery,
    ): Promise<Page<MyGrant> & { endingSoon: number; managesUnits: boolean }> {
      const person = await personOrThrow(personId);
      const date = today();
      const page = await readPage(
        store.ownGrants(personId),
        query,
        (grant): MyGrant => ({
          id: grant.id,
          unit: { tin: grant.unitTin, name: grant.unitName },
          permission: grant.permission,
          termType: grant.termType,
          startDate: grant.startDate,
          endDate: grant.endDate,
          status: grantStatus(grant, date),
          grantedAt: new Date(grant.createdAt).toISOString(),
        }),
      );
      return {
        ...page,
        endingSoon: await store.endingSoonCount(personId, date, addDays(date, ENDING_SOON_DAYS)),
        managesUnits: await store.managesAny(person, date),
      };
    },

    /** 解除授权 by the grantee. */
    async renounce(personId: string, grantId: string): Promise<void> {
      const grant = await store.transaction(async () => {
        const person = await personOrThrow(personId);
        const before = await store.byId(grantId);
        if (!before || before.granteeId !== personId) throw new AppError("GRANT_NOT_FOUND");
        if (!isLiveStatus(grantStatus(before, today()))) throw new AppError("GRANT_ENDED");
        const now = clock.now();
        await store.end(grantId, "self", now);
        const after: Grant = { ...before, endedAt: now, endedBy: "self", updatedAt: now };
        await record(person, "被授权人", "本人解除", before, after);
        return after;
      });
      await announce(grant, "renounced");
    },

    /** 删除: hides an ended grant from the grantee's list; the history stays. */
    async hide(personId: string, grantId: string): Promise<void> {
      const grant = await store.transaction(async () => {
        const person = await personOrThrow(personId);
        const before = await store.byId(grantId);
        if (!before || before.granteeId !== personId || before.hiddenByGranteeAt !== null) {
          throw new AppError("GRANT_NOT_FOUND");
        }
        if (isLiveStatus(grantStatus(before, today()))) throw new AppError("GRANT_STILL_ACTIVE");
        const now = clock.now();
        await store.hideForGrantee(grantId, now);
        await record(person, "被授权人", "本人删除", before, before);
        return before;
      });
      await announce(grant, "deleted");
    },

    /**
     * CSV of a unit's grants for its managers, streamed (UTF-8 with BOM), after a line naming the
     * unit and when: whoever opens the file later sees what it is.
     */
    async exportCsv(actorId: string, tin: string): Promise<{ fileName: string; csv: Readable }> {
      const date = today();
      const { unit } = await requireAuthority(await personOrThrow(actorId), tin, date);
      const now = clock.now();
      const title = ["企业办税权限", unit.name, tin, `导出时间 ${shanghaiDate(now)} ${shanghaiTime(now)}`];
      return {
        fileName: `企业办税权限_${fileNamePart(unit.name)}_${date}.csv`,
        csv: csvStream(title, CSV_HEADER, store.unitGrants(tin, date), (grant) => csvCells(view(grant, date))),
      };
    },

    /** The unit's history under a filter as CSV, for its managers. */
    async exportHistoryCsv(actorId: string, tin: string, filter: HistoryFilter) {
      const { unit } = await requireAuthority(await personOrThrow(actorId), tin, today());
      return historyCsv(deps.audit.unitHistory(tin, filter), unit, filter, clock.now());
    },

    /** The grantee's whole 证件号码, for one of the unit's managers (the lists mask it). */
    async granteeDocument(actorId: string, tin: string, grantId: string): Promise<{ docNumber: string }> {
      const date = today();
      await requireAuthority(await personOrThrow(actorId), tin, date);
      const listing = await store.listing(grantId, date);
      if (!listing || listing.unitTin !== tin) throw new AppError("GRANT_NOT_FOUND");
      return { docNumber: listing.grantee.docNumber };
    },
  };
}

export type GrantsService = ReturnType<typeof grantsService>;

const CSV_HEADER = [
  "被授权人",
  "证件类型",
  "证件号码",
  "权限类型",
  "授权期限类型",
  "授权期限起",
  "授权期限止",
  "状态",
  "授权人",
  "需复核",
];

const csvCells = (g: GrantView) => [
  g.grantee.name,
  g.grantee.docType,
  g.grantee.maskedDocNumber,
  g.permission,
  g.termType,
  g.startDate,
  g.endDate ?? "",
  g.status,
  `${g.grantedBy.name}（${g.grantedBy.role}）`,
  g.needsReview ? "是" : "",
];
