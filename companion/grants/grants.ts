import { randomUUID } from "node:crypto";
import type {
  GRANT_CHANGES,
  GrantChangeRequest,
  GrantCreateRequest,
  GrantView,
  HistoryEntry,
  ManagedUnit,
  MyGrant,
  UnitDetailResponse,
} from "../../shared/api/grants.js";
import { isLiveStatus } from "../../shared/api/grants.js";
import { addDays, shanghaiDate, startOfShanghaiDay } from "../../shared/dates.js";
import { maskPersonName } from "../../shared/identity/account-rules.js";
import { maskDocumentNumber } from "../../shared/identity/documents.js";
import type { PeopleStore, Person } from "../accounts/people.js";
import type { AuditAction, AuditLog } from "../audit/audit-log.js";
import type { Clock } from "../clock.js";
import { atomically, type Db } from "../db/database.js";
import { AppError } from "../errors.js";
import type { EventHub } from "../events/hub.js";
import type { UnitsStore } from "../units/units.js";
import { type Authority, managers as managersOf } from "./managers.js";
import { grantStatus } from "./status.js";
import { type Grant, grantsStore } from "./store.js";

export const ENDING_SOON_DAYS = 7;

type Change = (typeof GRANT_CHANGES)[number];

export interface GrantsDeps {
  db: Db;
  clock: Clock;
  people: PeopleStore;
  units: UnitsStore;
  audit: AuditLog;
  hub: EventHub;
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
 * 企业办税权限: every decision about grants, with the rules of SPEC §4. Status is computed from
 * the clock's Asia/Shanghai date at the moment of each decision.
 */
export function grantsService(deps: GrantsDeps) {
  const { db, clock, people, units } = deps;
  const store = grantsStore(db);
  const managers = managersOf(people, units, store);
  const today = () => shanghaiDate(clock.now());

  const personOrThrow = (id: string): Person => {
    const person = people.byId(id);
    if (!person) throw new AppError("UNAUTHENTICATED", 401);
    return person;
  };

  /** The 管理权限 grant this grant was made under has ended since it was last looked at. */
  function needsReview(grant: Grant, date: string): boolean {
    if (!grant.grantorGrantId || !isLiveStatus(grantStatus(grant, date))) return false;
    const grantor = store.byId(grant.grantorGrantId);
    if (!grantor || isLiveStatus(grantStatus(grantor, date))) return false;
    // It stopped standing when revoked or renounced; else when its term ran out — or, for a term
    // changed to end in the past, when that change was made.
    const endedAt =
      grantor.endedAt ??
      (grantor.endDate === null
        ? clock.now()
        : Math.max(startOfShanghaiDay(addDays(grantor.endDate, 1)), grantor.termSetAt));
    return grant.reviewedAt === null || grant.reviewedAt < endedAt;
  }

  function view(grant: Grant, date: string): GrantView {
    const grantee = personOrThrow(grant.granteeId);
    const grantor = people.byId(grant.grantedBy);
    return {
      id: grant.id,
      unitTin: grant.unitTin,
      grantee: {
        maskedName: maskPersonName(grantee.name),
        docType: grantee.docType,
        maskedDocNumber: maskDocumentNumber(grantee.docNumber),
      },
      permission: grant.permission,
      termType: grant.termType,
      startDate: grant.startDate,
      endDate: grant.endDate,
      status: grantStatus(grant, date),
      grantedBy: { maskedName: grantor ? maskPersonName(grantor.name) : "", role: grant.grantedAs },
      needsReview: needsReview(grant, date),
      createdAt: new Date(grant.createdAt).toISOString(),
      updatedAt: new Date(grant.updatedAt).toISOString(),
    };
  }

  function requireAuthority(actor: Person, tin: string, date: string): Authority {
    units.requireUnit(tin);
    const authority = managers.authority(actor, tin, date);
    if (authority.roles.length === 0) throw new AppError("NOT_UNIT_MANAGER", 403);
    return authority;
  }

  /** A 管理权限 holder (with no office) may not grant beyond their own end date. */
  function checkWithinOwnTerm(authority: Authority, term: GrantChangeRequest): void {
    const own = authority.managementGrant;
    const onlyByGrant = authority.roles.length === 1 && own !== null;
    if (!onlyByGrant || own.endDate === null) return;
    if (term.termType === "长期" || (term.endDate ?? "") > own.endDate) {
      throw new AppError("BEYOND_OWN_TERM", 403, {}, `授权期限不能超出您自己的管理权限期限（${own.endDate}）`);
    }
  }

  function grantInUnit(tin: string, grantId: string): Grant {
    const grant = store.byId(grantId);
    if (!grant || grant.unitTin !== tin) throw new AppError("GRANT_NOT_FOUND", 404);
    return grant;
  }

  /** A 管理权限 holder (with no office) may not touch their own grant. */
  function checkNotOwn(authority: Authority, actor: Person, grant: Grant): void {
    const onlyByGrant = authority.roles.length === 1 && authority.managementGrant !== null;
    if (onlyByGrant && grant.granteeId === actor.id) throw new AppError("OWN_GRANT", 403);
  }

  function record(actor: Person, role: string, action: AuditAction, before: Grant | null, after: Grant | null) {
    const grant = (after ?? before) as Grant;
    deps.audit.append({
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
    const unit = units.unit(grant.unitTin);
    const event = (forGrantee: boolean) => ({
      type: "grant-changed" as const,
      unitTin: grant.unitTin,
      unitName: unit?.name ?? grant.unitTin,
      grantId: grant.id,
      change,
      forGrantee,
    });
    deps.hub.publish(grant.granteeId, event(true));
    for (const managerId of managers.managerIds(grant.unitTin, date)) {
      if (managerId !== grant.granteeId) deps.hub.publish(managerId, event(false));
    }
    deps.hub.unitChanged(grant.unitTin);
    await deps.audit.anchorHead();
  }

  const strongestRole = (authority: Authority) => authority.roles[0] as string;

  /**
   * A manager's action on an existing grant of the unit (变更, 解除授权, 复核保留): authority, the
   * grant, the 管理权限 holder's own-grant rule, then `apply` and the history — one transaction.
   */
  async function managerAction(
    actorId: string,
    tin: string,
    grantId: string,
    action: AuditAction,
    change: Change,
    apply: (context: { before: Grant; authority: Authority; date: string; now: number }) => Grant,
  ): Promise<GrantView> {
    const grant = atomically(db, () => {
      const actor = personOrThrow(actorId);
      const date = today();
      const authority = requireAuthority(actor, tin, date);
      const before = grantInUnit(tin, grantId);
      checkNotOwn(authority, actor, before);
      const after = apply({ before, authority, date, now: clock.now() });
      record(actor, strongestRole(authority), action, before, after);
      return after;
    });
    await announce(grant, change);
    return view(grant, today());
  }

  return {
    today,
    needsReview,
    store,
    managers,

    managedUnits(actorId: string, query = ""): ManagedUnit[] {
      const actor = personOrThrow(actorId);
      const date = today();
      const needle = query.trim().toUpperCase();
      return managers.managedUnits(actor, date).flatMap(({ tin, roles }) => {
        const unit = units.unit(tin);
        if (!unit) return [];
        if (needle && !unit.tin.includes(needle) && !unit.name.toUpperCase().includes(needle)) return [];
        const grants = store.ofUnit(tin);
        return [
          {
            tin,
            name: unit.name,
            roles,
            grantCount: grants.filter((g) => isLiveStatus(grantStatus(g, date))).length,
            reviewCount: grants.filter((g) => needsReview(g, date)).length,
          },
        ];
      });
    },

    unitDetail(actorId: string, tin: string): UnitDetailResponse {
      const actor = personOrThrow(actorId);
      const date = today();
      const authority = requireAuthority(actor, tin, date);
      const onlyByGrant = authority.roles.length === 1 && authority.managementGrant !== null;
      return {
        unit: units.requireUnit(tin),
        roles: authority.roles,
        grantLimit: onlyByGrant ? { endDate: authority.managementGrant?.endDate ?? null } : null,
        ownGrantId: authority.managementGrant?.id ?? null,
        grants: store.ofUnit(tin).map((grant) => view(grant, date)),
      };
    },

    async add(actorId: string, tin: string, request: GrantCreateRequest): Promise<GrantView> {
      const grant = atomically(db, () => {
        const actor = personOrThrow(actorId);
        const date = today();
        const authority = requireAuthority(actor, tin, date);
        const grantee = people.byDocument(request.docType, request.docNumber);
        if (!grantee || grantee.name !== request.name) throw new AppError("GRANTEE_NOT_REGISTERED", 404);
        if (grantee.id === actor.id) throw new AppError("SELF_GRANT", 403);
        if (store.ofGrantee(grantee.id).some((g) => g.unitTin === tin && isLiveStatus(grantStatus(g, date)))) {
          throw new AppError("GRANT_EXISTS", 409);
        }
        checkWithinOwnTerm(authority, request);
        const role = strongestRole(authority);
        const now = clock.now();
        const created: Grant = {
          id: randomUUID(),
          unitTin: tin,
          granteeId: grantee.id,
          permission: request.permission,
          termType: request.termType,
          startDate: request.startDate,
          endDate: request.termType === "定期" ? (request.endDate ?? null) : null,
          grantedBy: actor.id,
          grantedAs: role as Grant["grantedAs"],
          grantorGrantId: role === "管理权限" ? (authority.managementGrant?.id ?? null) : null,
          endedAt: null,
          endedBy: null,
          reviewedAt: null,
          hiddenByGranteeAt: null,
          termSetAt: now,
          createdAt: now,
          updatedAt: now,
        };
        store.insert(created);
        record(actor, role, "新增授权", null, created);
        return created;
      });
      await announce(grant, "added");
      return view(grant, today());
    },

    change: (actorId: string, tin: string, grantId: string, request: GrantChangeRequest) =>
      managerAction(actorId, tin, grantId, "变更", "changed", ({ before, authority, date, now }) => {
        if (!isLiveStatus(grantStatus(before, date))) throw new AppError("GRANT_ENDED", 409);
        checkWithinOwnTerm(authority, request);
        const after: Grant = {
          ...before,
          permission: request.permission,
          termType: request.termType,
          startDate: request.startDate,
          endDate: request.termType === "定期" ? (request.endDate ?? null) : null,
          // A manager who changed the grant has looked at it.
          reviewedAt: now,
          termSetAt: now,
          updatedAt: now,
        };
        store.updateTerm(after);
        return after;
      }),

    revoke: (actorId: string, tin: string, grantId: string) =>
      managerAction(actorId, tin, grantId, "解除授权", "revoked", ({ before, date, now }) => {
        if (!isLiveStatus(grantStatus(before, date))) throw new AppError("GRANT_ENDED", 409);
        store.end(grantId, "unit", now);
        return { ...before, endedAt: now, endedBy: "unit", updatedAt: now };
      }),

    review: (actorId: string, tin: string, grantId: string) =>
      managerAction(actorId, tin, grantId, "复核保留", "reviewed", ({ before, date, now }) => {
        if (!needsReview(before, date)) throw new AppError("NOTHING_TO_REVIEW", 409);
        store.markReviewed(grantId, now);
        return { ...before, reviewedAt: now, updatedAt: now };
      }),

    history(actorId: string, tin: string): HistoryEntry[] {
      const actor = personOrThrow(actorId);
      requireAuthority(actor, tin, today());
      return deps.audit.ofUnit(tin).map((row) => {
        const who = people.byId(row.actorId);
        const grant = store.byId(row.grantId);
        const grantee = grant ? people.byId(grant.granteeId) : null;
        return {
          seq: row.seq,
          at: new Date(row.at).toISOString(),
          actor: { maskedName: who ? maskPersonName(who.name) : "", role: row.actorRole },
          action: row.action,
          grantId: row.grantId,
          grantee: grantee ? maskPersonName(grantee.name) : "",
          before: row.before,
          after: row.after,
        };
      });
    },

    myGrants(personId: string): { grants: MyGrant[]; endingSoon: number; managesUnits: boolean } {
      const person = personOrThrow(personId);
      const date = today();
      const soon = addDays(date, ENDING_SOON_DAYS);
      const visible = store.ofGrantee(personId).filter((g) => g.hiddenByGranteeAt === null);
      return {
        grants: visible.map((grant) => ({
          id: grant.id,
          unit: { tin: grant.unitTin, name: units.unit(grant.unitTin)?.name ?? grant.unitTin },
          permission: grant.permission,
          termType: grant.termType,
          startDate: grant.startDate,
          endDate: grant.endDate,
          status: grantStatus(grant, date),
          grantedAt: new Date(grant.createdAt).toISOString(),
        })),
        endingSoon: visible.filter((g) => grantStatus(g, date) === "有效" && g.endDate !== null && g.endDate <= soon)
          .length,
        managesUnits: managers.managedUnits(person, date).length > 0,
      };
    },

    /** 解除授权 by the grantee. */
    async renounce(personId: string, grantId: string): Promise<void> {
      const grant = atomically(db, () => {
        const person = personOrThrow(personId);
        const before = store.byId(grantId);
        if (!before || before.granteeId !== personId) throw new AppError("GRANT_NOT_FOUND", 404);
        if (!isLiveStatus(grantStatus(before, today()))) throw new AppError("GRANT_ENDED", 409);
        const now = clock.now();
        store.end(grantId, "self", now);
        const after: Grant = { ...before, endedAt: now, endedBy: "self", updatedAt: now };
        record(person, "被授权人", "本人解除", before, after);
        return after;
      });
      await announce(grant, "renounced");
    },

    /** 删除: hides an ended grant from the grantee's list; the history stays. */
    async hide(personId: string, grantId: string): Promise<void> {
      const grant = atomically(db, () => {
        const person = personOrThrow(personId);
        const before = store.byId(grantId);
        if (!before || before.granteeId !== personId || before.hiddenByGranteeAt !== null) {
          throw new AppError("GRANT_NOT_FOUND", 404);
        }
        if (isLiveStatus(grantStatus(before, today()))) throw new AppError("GRANT_STILL_ACTIVE", 409);
        const now = clock.now();
        store.hideForGrantee(grantId, now);
        record(person, "被授权人", "本人删除", before, before);
        return before;
      });
      await announce(grant, "deleted");
    },

    /** CSV of a unit's grants for its managers (UTF-8 with BOM, so spreadsheet programs read the Chinese). */
    exportCsv(actorId: string, tin: string): string {
      const detail = this.unitDetail(actorId, tin);
      const header = [
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
      const rows = detail.grants.map((g) => [
        g.grantee.maskedName,
        g.grantee.docType,
        g.grantee.maskedDocNumber,
        g.permission,
        g.termType,
        g.startDate,
        g.endDate ?? "",
        g.status,
        `${g.grantedBy.maskedName}（${g.grantedBy.role}）`,
        g.needsReview ? "是" : "",
      ]);
      const cell = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
      return `\uFEFF${[header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n")}\r\n`;
    },
  };
}

export type GrantsService = ReturnType<typeof grantsService>;
