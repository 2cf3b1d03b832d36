/**
 * A reference model of 企业办税权限 — who may grant, change and revoke, and each grant's status
 * (issue 3, "Rules enforced in the companion") — written from the rules, not from the companion's
 * code: plain records, a clock reading, and each rule as a few lines.
 * test/integration/grants-model.test.ts replays random operations against this and against the
 * real companion and compares every decision and every listing.
 *
 * Dates are Asia/Shanghai calendar dates (UTC+8, no DST), computed here on purpose without
 * shared/dates.ts so the model does not share the code it checks.
 */

export type Permission = "办税权限" | "管理权限";
export type TermType = "长期" | "定期";
export type Status = "未生效" | "有效" | "已过期" | "已解除(单位)" | "已解除(本人)";
export type OfficeRole = "法定代表人" | "财务负责人";
export type Role = OfficeRole | "管理权限";

export interface Identity {
  docType: string;
  docNumber: string;
  name: string;
}
export interface ModelPerson extends Identity {
  id: string;
}
export interface ModelOfficer extends Identity {
  tin: string;
  role: OfficeRole;
  start: string;
  end: string | null;
}
export interface Term {
  permission: Permission;
  termType: TermType;
  startDate: string;
  endDate: string | null;
}
export interface ModelGrant extends Term {
  id: string;
  tin: string;
  granteeId: string;
  grantedAs: Role;
  /** The 管理权限 grant it was made under, when its grantor managed only through that grant. */
  underGrantId: string | null;
  endedBy: "unit" | "self" | null;
  /** When a manager revoked it or the grantee renounced it. */
  endedAt: number | null;
  /** When its term was last set (added or 变更): an end date set in the past ends it right then. */
  termSetAt: number;
  /** When a manager last looked at it (added, 变更 or 复核保留). */
  lookedAt: number;
  hidden: boolean;
}

export type Decision = { ok: true } | { ok: false; code: string };

const HOUR_MS = 3_600_000;
/** The Shanghai calendar date of an instant. */
export const shanghaiDay = (ms: number) => new Date(ms + 8 * HOUR_MS).toISOString().slice(0, 10);
export const plusDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 24 * HOUR_MS).toISOString().slice(0, 10);
/** The instant a Shanghai calendar date begins. */
const dayBegins = (date: string) => Date.parse(`${date}T00:00:00+08:00`);

const ROLE_ORDER: Role[] = ["法定代表人", "财务负责人", "管理权限"];

class Refused extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}
const refuse = (code: string): never => {
  throw new Refused(code);
};
function decide(action: () => void): Decision {
  try {
    action();
    return { ok: true };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, code: error.code };
    throw error;
  }
}

interface Authority {
  roles: Role[];
  /** Their 有效 管理权限 grant at the unit, if any. */
  own: ModelGrant | null;
}
/** Managing only through a 管理权限 grant (no office): limited to own term, may not touch own grant. */
const onlyByGrant = (a: Authority) => a.roles.length === 1 && a.roles[0] === "管理权限";

export class GrantsModel {
  readonly officers: ModelOfficer[] = [];
  /** In creation order (the listings' order). */
  readonly grants: ModelGrant[] = [];

  constructor(
    readonly people: ModelPerson[],
    readonly tins: string[],
    public now: number,
  ) {}

  today = () => shanghaiDay(this.now);

  // ---- status and authority -------------------------------------------------------------------

  status(g: ModelGrant): Status {
    const d = this.today();
    if (g.endedBy === "unit") return "已解除(单位)";
    if (g.endedBy === "self") return "已解除(本人)";
    if (d < g.startDate) return "未生效";
    if (g.endDate !== null && d > g.endDate) return "已过期";
    return "有效";
  }
  live = (g: ModelGrant) => ["有效", "未生效"].includes(this.status(g));

  /** Offices matched to a registered person by 证件类型 + 证件号码 + 姓名, in office today (inclusive). */
  private offices(person: ModelPerson, tin: string): OfficeRole[] {
    const d = this.today();
    return this.officers
      .filter((o) => o.tin === tin && o.docType === person.docType && o.docNumber === person.docNumber)
      .filter((o) => o.name === person.name && o.start <= d && (o.end === null || d <= o.end))
      .map((o) => o.role);
  }

  authority(personId: string, tin: string): Authority {
    const person = this.person(personId);
    const own =
      this.grants.find(
        (g) => g.tin === tin && g.granteeId === personId && g.permission === "管理权限" && this.status(g) === "有效",
      ) ?? null;
    const roles = new Set<Role>(this.offices(person, tin));
    if (own) roles.add("管理权限");
    return { roles: ROLE_ORDER.filter((r) => roles.has(r)), own };
  }

  managersOf = (tin: string) => this.people.filter((p) => this.authority(p.id, tin).roles.length > 0);

  /** When the grant stopped standing: revoked/renounced then, or the day after its end began (or, for an end
   * date set in the past by a 变更, the moment of that 变更). */
  private endedAt(g: ModelGrant): number {
    if (g.endedAt !== null) return g.endedAt;
    return Math.max(dayBegins(plusDays(g.endDate as string, 1)), g.termSetAt);
  }

  /** 需复核: live, made under a 管理权限 grant that has ended since a manager last looked at this one. */
  needsReview(g: ModelGrant): boolean {
    const under = this.grants.find((u) => u.id === g.underGrantId);
    return this.live(g) && under !== undefined && !this.live(under) && this.endedAt(under) > g.lookedAt;
  }

  // ---- decisions (the order of checks follows companion/grants/grants.ts, see each comment) ---

  /** unit exists → actor manages it (NOT_UNIT_MANAGER). */
  private manage(actorId: string, tin: string): Authority {
    if (!this.tins.includes(tin)) refuse("UNIT_NOT_FOUND");
    const authority = this.authority(actorId, tin);
    if (authority.roles.length === 0) refuse("NOT_UNIT_MANAGER");
    return authority;
  }
  /** A 管理权限-only manager with a 定期 grant ending E grants only 定期 ending ≤ E. */
  private withinOwnTerm(a: Authority, term: Term) {
    const ownEnd = a.own?.endDate ?? null;
    if (!onlyByGrant(a) || ownEnd === null) return;
    if (term.termType === "长期" || (term.endDate as string) > ownEnd) refuse("BEYOND_OWN_TERM");
  }
  /** change/revoke/review: manage → GRANT_NOT_FOUND (not in this unit) → OWN_GRANT. */
  private target(actorId: string, tin: string, grantId: string): [Authority, ModelGrant] {
    const a = this.manage(actorId, tin);
    const g = this.grants.find((x) => x.id === grantId && x.tin === tin) ?? refuse("GRANT_NOT_FOUND");
    if (onlyByGrant(a) && g.granteeId === actorId) refuse("OWN_GRANT");
    return [a, g];
  }
  private setTerm(g: ModelGrant, term: Term) {
    Object.assign(g, { ...term, endDate: term.termType === "定期" ? term.endDate : null });
    g.termSetAt = this.now;
    g.lookedAt = this.now;
  }

  /** manage → GRANTEE_NOT_REGISTERED → SELF_GRANT → GRANT_EXISTS → BEYOND_OWN_TERM. */
  add(actorId: string, tin: string, request: Identity & Term, newId: string): Decision {
    return decide(() => {
      const a = this.manage(actorId, tin);
      const grantee =
        this.people.find(
          (p) => p.docType === request.docType && p.docNumber === request.docNumber && p.name === request.name,
        ) ?? refuse("GRANTEE_NOT_REGISTERED");
      if (grantee.id === actorId) refuse("SELF_GRANT");
      if (this.grants.some((g) => g.tin === tin && g.granteeId === grantee.id && this.live(g))) refuse("GRANT_EXISTS");
      this.withinOwnTerm(a, request);
      const grantedAs = a.roles[0] as Role;
      this.grants.push({
        id: newId,
        tin,
        granteeId: grantee.id,
        permission: request.permission,
        termType: request.termType,
        startDate: request.startDate,
        endDate: request.termType === "定期" ? request.endDate : null,
        grantedAs,
        underGrantId: grantedAs === "管理权限" ? (a.own as ModelGrant).id : null,
        endedBy: null,
        endedAt: null,
        termSetAt: this.now,
        lookedAt: this.now,
        hidden: false,
      });
    });
  }

  /** target → GRANT_ENDED → BEYOND_OWN_TERM. */
  change(actorId: string, tin: string, grantId: string, term: Term): Decision {
    return decide(() => {
      const [a, g] = this.target(actorId, tin, grantId);
      if (!this.live(g)) refuse("GRANT_ENDED");
      this.withinOwnTerm(a, term);
      this.setTerm(g, term);
    });
  }

  /** target → GRANT_ENDED. */
  revoke(actorId: string, tin: string, grantId: string): Decision {
    return decide(() => {
      const [, g] = this.target(actorId, tin, grantId);
      if (!this.live(g)) refuse("GRANT_ENDED");
      Object.assign(g, { endedBy: "unit", endedAt: this.now });
    });
  }

  /** target → NOTHING_TO_REVIEW. 复核保留 keeps the grant as it is. */
  review(actorId: string, tin: string, grantId: string): Decision {
    return decide(() => {
      const [, g] = this.target(actorId, tin, grantId);
      if (!this.needsReview(g)) refuse("NOTHING_TO_REVIEW");
      g.lookedAt = this.now;
    });
  }

  /** 解除授权 by the grantee: GRANT_NOT_FOUND (not theirs) → GRANT_ENDED. */
  renounce(personId: string, grantId: string): Decision {
    return decide(() => {
      const g = this.grants.find((x) => x.id === grantId && x.granteeId === personId) ?? refuse("GRANT_NOT_FOUND");
      if (!this.live(g)) refuse("GRANT_ENDED");
      Object.assign(g, { endedBy: "self", endedAt: this.now });
    });
  }

  /** 删除 by the grantee: GRANT_NOT_FOUND (not theirs, or already deleted) → GRANT_STILL_ACTIVE. */
  hide(personId: string, grantId: string): Decision {
    return decide(() => {
      const g =
        this.grants.find((x) => x.id === grantId && x.granteeId === personId && !x.hidden) ?? refuse("GRANT_NOT_FOUND");
      if (this.live(g)) refuse("GRANT_STILL_ACTIVE");
      g.hidden = true;
    });
  }

  /** Tax registration: a new 法定代表人 ends the previous one's term the day before its start. */
  setOfficer(officer: ModelOfficer): void {
    if (officer.role === "法定代表人") {
      const dayBefore = plusDays(officer.start, -1);
      for (const o of this.officers) {
        if (o.tin === officer.tin && o.role === "法定代表人" && (o.end === null || o.end > dayBefore))
          o.end = dayBefore;
      }
    }
    this.officers.push({ ...officer });
  }

  /** Tax registration: an officer leaves (their term ends on that date). */
  endOfficer(index: number, end: string): void {
    (this.officers[index] as ModelOfficer).end = end;
  }

  // ---- listings -------------------------------------------------------------------------------

  unitDetail(actorId: string, tin: string) {
    const a = this.authority(actorId, tin);
    if (a.roles.length === 0) return "NOT_UNIT_MANAGER";
    return {
      roles: a.roles,
      grantLimit: onlyByGrant(a) ? { endDate: a.own?.endDate ?? null } : null,
      ownGrantId: a.own?.id ?? null,
      grants: this.grants
        .filter((g) => g.tin === tin)
        .map((g) => ({
          id: g.id,
          permission: g.permission,
          termType: g.termType,
          startDate: g.startDate,
          endDate: g.endDate,
          status: this.status(g),
          needsReview: this.needsReview(g),
          grantedAs: g.grantedAs,
        })),
    };
  }

  myGrants(personId: string) {
    return this.grants
      .filter((g) => g.granteeId === personId && !g.hidden)
      .map((g) => ({ id: g.id, tin: g.tin, status: this.status(g) }));
  }

  /** The toolbar badge: the person's 有效 grants (not deleted) ending within 7 days (end ≤ today + 7). */
  endingSoon(personId: string): number {
    const soon = plusDays(this.today(), 7);
    return this.grants.filter(
      (g) =>
        g.granteeId === personId && !g.hidden && this.status(g) === "有效" && g.endDate !== null && g.endDate <= soon,
    ).length;
  }

  managedUnits(personId: string) {
    return [...this.tins]
      .sort()
      .map((tin) => ({ tin, roles: this.authority(personId, tin).roles }))
      .filter((u) => u.roles.length > 0)
      .map(({ tin, roles }) => {
        const ofUnit = this.grants.filter((g) => g.tin === tin);
        return {
          tin,
          roles,
          grantCount: ofUnit.filter(this.live).length,
          reviewCount: ofUnit.filter((g) => this.needsReview(g)).length,
        };
      });
  }

  person(id: string): ModelPerson {
    return this.people.find((p) => p.id === id) ?? refuse("UNAUTHENTICATED");
  }
}
