/**
 * Model-based test of 企业办税权限 (issue 3, "Rules enforced in the companion, tested against a
 * model"): random sequences of 新增授权 / 变更 / 解除授权 (by a manager) / 复核保留 / 解除授权 (by the
 * grantee) / 删除 / clock moves / officer changes, by random actors, run against the real
 * companion's grants service (real SQLite file, real keychain) and against the small reference
 * model in test/support/grants-model.ts. After every operation the decision (accepted, or the
 * refusal's code) and every listing — each unit's 已授权 table for each person, each person's
 * 我的办税权限 and managed units — must match.
 *
 * One companion for the whole file, a pool of six registered people per 20 runs (registration is
 * slow); every run gets two fresh units, so runs do not see each other. A failure prints the
 * replayed operations with their outcomes and the listings that differ. Replay a failing run with
 * GRANTS_MODEL_SEED=<seed> (the seed fast-check prints); hunt longer with GRANTS_MODEL_RUNS=1000.
 * Sequences that found a bug are kept in FOUND and replayed on every run of the file.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { DAY, HOUR, MINUTE } from "../../companion/clock.js";
import { AppError } from "../../companion/errors.js";
import type { Officer } from "../../companion/units/units.js";
import type { GrantCreateRequest } from "../../shared/api/grants.js";
import type { Page, PageQuery } from "../../shared/api/paging.js";
import { type DocumentType, gb11643CheckDigit } from "../../shared/identity/documents.js";
import { gb32100CheckChar } from "../../shared/identity/tin.js";
import { manualClock, type RunningCompanion, startCompanion } from "../support/companion.js";
import {
  type Decision,
  GrantsModel,
  type Identity,
  type ModelPerson,
  type OfficeRole,
  type Permission,
  plusDays,
  shanghaiDay,
  type Term,
  type TermType,
} from "../support/grants-model.js";
import { newPerson, registerPerson } from "../support/people.js";

/** GRANTS_MODEL_RUNS=1000 for a longer hunt. */
const NUM_RUNS = Number(process.env.GRANTS_MODEL_RUNS ?? 60);
const MAX_OPS = 25;
/** Real time always moves on: every operation happens a second after the previous one. */
const TICK = 1000;
const BOGUS_GRANT_ID = "00000000-0000-4000-8000-000000000000";

// ---- the operations -----------------------------------------------------------------------------

/**
 * Who acts, chosen when the operation runs: one of the unit's current managers (by the model), or
 * one who manages only through a 管理权限 grant (falling back to any manager), or anyone in the pool.
 */
interface ActorRef {
  among: "managers" | "grant-holders" | "anyone";
  pick: number;
}
/**
 * Which grant, chosen when the operation runs: one it makes sense for (e.g. a live one of that
 * unit), or such a 管理权限 grant, preferably one its holder has granted under (ending it makes
 * those grants 需复核), or any of this run's, or an id that was never a grant.
 */
interface GrantRef {
  bogus: boolean;
  prefer: "fitting" | "management" | "any";
  pick: number;
}
/** Dates relative to the Shanghai "today" when the operation runs. */
interface TermGen {
  permission: Permission;
  termType: TermType;
  start: number;
  length: number;
}
/** A person by document; `newcomer` (for 新增授权): someone other than the actor with no live grant there yet. */
type Who =
  | { person: number }
  | { newcomer: number }
  | { unregistered: true }
  | { wrongName: number }
  | { wrongDocType: number };

type Op =
  | { kind: "add"; unit: number; actor: ActorRef; grantee: Who; term: TermGen }
  | { kind: "change"; unit: number; actor: ActorRef; grant: GrantRef; term: TermGen }
  | { kind: "revoke" | "review"; unit: number; actor: ActorRef; grant: GrantRef }
  | { kind: "renounce" | "delete"; byGrantee: boolean; actor: number; grant: GrantRef }
  | { kind: "clock"; by: number | "to-midnight" }
  | { kind: "officer"; unit: number; role: OfficeRole; who: Who; start: number; length: number | null }
  | { kind: "officer-leaves"; pick: number; end: number };

const POOL_NAMES = ["王法人", "陈财务", "李办税", "赵会计", "钱出纳", "孙路人"];
const often = (weight: number) => fc.integer({ min: 0, max: weight }).map((n) => n > 0);
const pick = fc.nat(999);
const person = fc.integer({ min: 0, max: POOL_NAMES.length - 1 });
/** 0 and 1 are this run's units; 2 is a TIN no unit has. */
const unit = fc.oneof(
  { arbitrary: fc.constant(0), weight: 12 },
  { arbitrary: fc.constant(1), weight: 6 },
  fc.constant(2),
);
const actor = fc.record({
  among: fc.oneof(
    { arbitrary: fc.constant("managers" as const), weight: 3 },
    { arbitrary: fc.constant("grant-holders" as const), weight: 3 },
    { arbitrary: fc.constant("anyone" as const), weight: 1 },
  ),
  pick,
});
const grantRef = fc.record({
  bogus: fc.integer({ min: 0, max: 30 }).map((n) => n === 0),
  prefer: fc.oneof(
    { arbitrary: fc.constant("fitting" as const), weight: 3 },
    { arbitrary: fc.constant("management" as const), weight: 3 },
    { arbitrary: fc.constant("any" as const), weight: 1 },
  ),
  pick,
});
const term = fc.record({
  permission: fc.constantFrom<Permission>("办税权限", "管理权限"),
  termType: fc.constantFrom<TermType>("长期", "定期"),
  start: fc.oneof({ arbitrary: fc.integer({ min: -3, max: 0 }), weight: 3 }, fc.integer({ min: 1, max: 3 })),
  length: fc.integer({ min: 0, max: 5 }),
});
const who: fc.Arbitrary<Who> = fc.oneof(
  { arbitrary: person.map((p) => ({ person: p })), weight: 4 },
  { arbitrary: pick.map((p) => ({ newcomer: p })), weight: 8 },
  fc.constant({ unregistered: true as const }),
  person.map((p) => ({ wrongName: p })),
  person.map((p) => ({ wrongDocType: p })),
);

const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("add" as const), unit, actor, grantee: who, term }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant("change" as const), unit, actor, grant: grantRef, term }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("revoke" as const), unit, actor, grant: grantRef }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("review" as const), unit, actor, grant: grantRef }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom("renounce" as const, "delete" as const),
      byGrantee: often(4),
      actor: person,
      grant: grantRef,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("clock" as const),
      by: fc.oneof(
        fc.integer({ min: 1, max: 10 }).map((h) => h * HOUR),
        fc.integer({ min: 1, max: 3 }).map((d) => d * DAY),
        fc.constant("to-midnight" as const),
      ),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("officer" as const),
      unit: fc.integer({ min: 0, max: 1 }),
      role: fc.constantFrom<OfficeRole>("法定代表人", "财务负责人"),
      who: who.filter((w) => !("wrongDocType" in w) && !("newcomer" in w)),
      start: fc.integer({ min: -3, max: 2 }),
      length: fc.option(fc.integer({ min: 0, max: 3 })),
    }),
    weight: 1,
  },
  fc.record({ kind: fc.constant("officer-leaves" as const), pick, end: fc.integer({ min: -2, max: 2 }) }),
);

/**
 * Runs start with a short story, so the rules for 管理权限 holders get exercised: U0's legal rep
 * grants 管理权限 to a clerk, and (usually) that clerk grants someone else — with random terms, so
 * this may already be refused.
 */
const aHolder: fc.Arbitrary<Op> = fc.record({
  kind: fc.constant("add" as const),
  unit: fc.constant(0),
  actor: fc.constant({ among: "managers" as const, pick: 0 }),
  grantee: person.filter((p) => p >= 2).map((p) => ({ person: p })),
  term: fc.record({
    permission: fc.constant("管理权限" as const),
    termType: fc.constantFrom<TermType>("长期", "定期"),
    start: fc.integer({ min: -2, max: 0 }),
    length: fc.integer({ min: 1, max: 4 }),
  }),
});
const holderGrants: fc.Arbitrary<Op> = fc.record({
  kind: fc.constant("add" as const),
  unit: fc.constant(0),
  actor: fc.record({ among: fc.constant("grant-holders" as const), pick }),
  grantee: pick.map((p) => ({ newcomer: p })),
  term,
});
const story = fc.tuple(aHolder, fc.option(holderGrants, { freq: 4 }));

// ---- the companion and the pool of people -------------------------------------------------------

const clock = manualClock();
let companion: RunningCompanion;
let pool: ModelPerson[] = [];
let unregisteredNumber: string;
let tinSerial = 0;
const outcomes = new Map<string, number>();
const timings: Array<{ ops: number; ms: number }> = [];
const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);

/** A fresh 统一社会信用代码 (the check character is right; the companion's database is fresh). */
function freshTin(): string {
  tinSerial += 1;
  const first17 = `91440101${String(tinSerial).padStart(9, "0")}`;
  return first17 + gb32100CheckChar(first17);
}

let idSerial = 0;
/** A fresh valid 居民身份证 number (a different birth date each time, so there are plenty). */
function freshIdNumber(): string {
  idSerial += 1;
  const born = new Date(Date.UTC(1970, 0, 1) + idSerial * DAY).toISOString().slice(0, 10).replaceAll("-", "");
  const first17 = `110101${born}001`;
  return first17 + gb11643CheckDigit(first17);
}

/**
 * Registers a new pool of people. The companion builds a person's listings over all their grants
 * and offices, so a pool is replaced every POOL_RUNS runs to keep runs equally fast.
 */
const POOL_RUNS = 20;
let runsOnPool = 0;
async function freshPool(): Promise<void> {
  pool = [];
  for (const name of POOL_NAMES) {
    const registered = await registerPerson(companion, newPerson({ name, docNumber: freshIdNumber() }));
    const id = (await companion.app.core.people.byLoginName(registered.loginName))?.id as string;
    pool.push({ id, docType: registered.docType, docNumber: registered.docNumber, name });
  }
  runsOnPool = 0;
}

beforeAll(async () => {
  companion = await startCompanion({ clock });
  unregisteredNumber = freshIdNumber();
});
afterAll(async () => {
  await companion?.close();
  const lines = [...outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `  ${k}: ${n}`);
  const ms = timings.reduce((sum, t) => sum + t.ms, 0);
  const ops = timings.reduce((sum, t) => sum + t.ops, 0);
  console.log(
    `grants model: ${timings.length} runs (shrinking included), ${ops} operations, ${Math.round(ms)} ms; outcomes:\n${lines.join("\n")}`,
  );
});

// ---- one run ------------------------------------------------------------------------------------

/** Replays the operations on the companion and the model; throws, with the story so far, on any difference. */
async function replay(shift: number, ops: Op[]): Promise<void> {
  const started = performance.now();
  const tins = [freshTin(), freshTin(), freshTin()];
  if (pool.length === 0 || runsOnPool >= POOL_RUNS) await freshPool();
  runsOnPool += 1;
  try {
    await replayOn(tins, shift, ops);
  } finally {
    await retire(tins);
    timings.push({ ops: ops.length, ms: performance.now() - started });
  }
}

/** Every item of a list, read in small pages so that each listing crosses page boundaries. */
async function everyPage<T>(read: (query: PageQuery) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read({ limit: 3, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

/**
 * After a run its units are left behind: their officers leave and their grants end, so the pool's
 * listings (which the companion builds over all of a person's units) do not grow run after run.
 */
async function retire(tins: string[]): Promise<void> {
  const { units, grants } = companion.app.core;
  for (const tin of tins) {
    for (const officer of await units.officers(tin)) await units.endOfficer(officer, "2019-12-31");
    for (const grant of await grants.store.ofUnit(tin)) {
      if (grant.endedBy === null) await grants.store.end(grant.id, "unit", clock.now());
    }
  }
}

async function replayOn(tins: string[], shift: number, ops: Op[]): Promise<void> {
  const service = companion.app.core.grants;
  const units = companion.app.core.units;
  clock.advance(shift);
  // As the hall CLI does (not addUnit(): its TIN serial runs out over a long hunt).
  for (const tin of tins.slice(0, 2)) {
    const name = `广东QJ模型${tin.slice(-6)}`;
    await units.saveUnit({
      tin,
      name,
      departments: [],
      departmentFiling: "未备案",
      comprehensiveIncome: "待申报",
      businessIncome: "",
    });
  }
  const model = new GrantsModel(pool, tins.slice(0, 2), clock.now());
  const officers: Officer[] = [];
  const labels = new Map<string, string>([[BOGUS_GRANT_ID, "bogus"]]);
  const label = (id: string) => labels.get(id) ?? id;
  const unitLabel = (tin: string) => `U${tins.indexOf(tin)}`;
  const log: string[] = [];

  const fail = (what: string): never => {
    throw new Error(`${what}\n\nOperations (U2 is a TIN with no unit):\n${log.join("\n")}`);
  };

  const identity = (w: Who): Identity => {
    if ("person" in w) return pool[w.person] as ModelPerson;
    if ("newcomer" in w) return pool[w.newcomer % pool.length] as ModelPerson;
    if ("wrongName" in w) return { ...(pool[w.wrongName] as ModelPerson), name: "周不符" };
    if ("wrongDocType" in w) return { ...(pool[w.wrongDocType] as ModelPerson), docType: "中国护照" };
    return { docType: "居民身份证", docNumber: unregisteredNumber, name: "周未注册" };
  };
  const whoText = (w: Who) =>
    "person" in w || "newcomer" in w
      ? identity(w).name
      : "wrongName" in w
        ? `${POOL_NAMES[w.wrongName]}'s document with name 周不符`
        : "wrongDocType" in w
          ? `${POOL_NAMES[w.wrongDocType]} as 中国护照`
          : "unregistered 周未注册";

  const actorFor = (ref: ActorRef, tin: string): ModelPerson => {
    const managers = ref.among !== "anyone" && model.tins.includes(tin) ? model.managersOf(tin) : [];
    const holders = managers.filter((p) => model.authority(p.id, tin).roles.join() === "管理权限");
    const from = ref.among === "grant-holders" && holders.length > 0 ? holders : managers.length > 0 ? managers : pool;
    return from[ref.pick % from.length] as ModelPerson;
  };
  const grantFor = (ref: GrantRef, tin: string | null, fits: (g: GrantsModel["grants"][number]) => boolean): string => {
    if (ref.bogus) return BOGUS_GRANT_ID;
    const here = model.grants.filter((g) => tin === null || g.tin === tin);
    const fitting = here.filter(fits);
    const management = fitting.filter((g) => g.permission === "管理权限");
    const grantors = management.filter((g) => model.grants.some((x) => x.underGrantId === g.id && model.live(x)));
    const choices =
      ref.prefer === "any" ? [] : ref.prefer === "management" ? [grantors, management, fitting, here] : [fitting, here];
    const from = choices.find((c) => c.length > 0) ?? model.grants;
    return from.length === 0 ? BOGUS_GRANT_ID : (from[ref.pick % from.length]?.id as string);
  };
  const termFor = (t: TermGen): Term => {
    const startDate = plusDays(model.today(), t.start);
    return {
      permission: t.permission,
      termType: t.termType,
      startDate,
      endDate: t.termType === "定期" ? plusDays(startDate, t.length) : null,
    };
  };
  const termText = (t: Term) => `${t.permission} ${t.termType} ${t.startDate}..${t.endDate ?? ""}`;
  const asActor = (p: ModelPerson, tin: string) => {
    const roles = model.tins.includes(tin) ? model.authority(p.id, tin).roles : [];
    return `${p.name}(${roles.join("+") || "no role"})`;
  };

  /** Runs the service call; an AppError is a refusal with its code, anything else a crash. */
  async function attempt(call: () => Promise<unknown>): Promise<{ decision: Decision; id?: string }> {
    try {
      const result = (await call()) as { id?: string } | undefined;
      return { decision: { ok: true }, id: result?.id };
    } catch (error) {
      if (error instanceof AppError) return { decision: { ok: false, code: error.code } };
      throw error;
    }
  }
  const text = (d: Decision) => (d.ok ? "ok" : d.code);

  /** Performs one operation on both sides; returns [what it was, companion's decision, model's decision]. */
  async function perform(o: Op): Promise<[string, Decision, Decision] | string> {
    switch (o.kind) {
      case "add": {
        const tin = tins[o.unit] as string;
        const by = actorFor(o.actor, tin);
        const newcomers = pool.filter(
          (p) => p !== by && !model.grants.some((g) => g.tin === tin && g.granteeId === p.id && model.live(g)),
        );
        const w = o.grantee;
        const grantee =
          "newcomer" in w && newcomers.length > 0
            ? (newcomers[w.newcomer % newcomers.length] as ModelPerson)
            : identity(w);
        const request = {
          docType: grantee.docType,
          docNumber: grantee.docNumber,
          name: grantee.name,
          ...termFor(o.term),
        };
        const what = `add at U${o.unit} by ${asActor(by, tin)} for ${"newcomer" in w ? request.name : whoText(w)}: ${termText(request)}`;
        const sut = await attempt(() => service.add(by.id, tin, request as GrantCreateRequest));
        const expected = model.add(by.id, tin, request, sut.id ?? "(not created)");
        if (sut.id) labels.set(sut.id, `g${labels.size}`);
        return [sut.id ? `${what} (${label(sut.id)})` : what, sut.decision, expected];
      }
      case "change": {
        const tin = tins[o.unit] as string;
        const by = actorFor(o.actor, tin);
        const id = grantFor(o.grant, tin, model.live);
        const request = termFor(o.term);
        const what = `change ${label(id)} at U${o.unit} by ${asActor(by, tin)} to ${termText(request)}`;
        const sut = await attempt(() => service.change(by.id, tin, id, request));
        return [what, sut.decision, model.change(by.id, tin, id, request)];
      }
      case "revoke":
      case "review": {
        const tin = tins[o.unit] as string;
        const by = actorFor(o.actor, tin);
        const review = o.kind === "review";
        const id = grantFor(o.grant, tin, (g) => (review ? model.needsReview(g) : model.live(g)));
        const what = `${o.kind} ${label(id)} at U${o.unit} by ${asActor(by, tin)}`;
        const sut = await attempt(() => (review ? service.review(by.id, tin, id) : service.revoke(by.id, tin, id)));
        return [what, sut.decision, review ? model.review(by.id, tin, id) : model.revoke(by.id, tin, id)];
      }
      case "renounce":
      case "delete": {
        const renounce = o.kind === "renounce";
        const id = grantFor(o.grant, null, (g) => (renounce ? model.live(g) : !model.live(g) && !g.hidden));
        const grantee = model.grants.find((g) => g.id === id)?.granteeId;
        const by = (o.byGrantee && grantee ? model.person(grantee) : pool[o.actor]) as ModelPerson;
        const what = `${o.kind} ${label(id)} by ${by.name}${by.id === grantee ? " (its grantee)" : ""}`;
        const sut = await attempt(() => (renounce ? service.renounce(by.id, id) : service.hide(by.id, id)));
        return [what, sut.decision, renounce ? model.renounce(by.id, id) : model.hide(by.id, id)];
      }
      case "clock": {
        const toMidnight = Date.parse(`${plusDays(model.today(), 1)}T00:00:00+08:00`) - TICK - clock.now();
        clock.advance(o.by === "to-midnight" ? Math.max(0, toMidnight) : o.by);
        return `clock ${o.by === "to-midnight" ? "to 23:59:59" : `+${o.by / HOUR}h`}`;
      }
      case "officer": {
        const tin = tins[o.unit] as string;
        const { docType, docNumber, name } = identity(o.who);
        const start = plusDays(model.today(), o.start);
        const end = o.length === null ? null : plusDays(start, o.length);
        const saved = await units.setOfficer({
          unitTin: tin,
          role: o.role,
          docType: docType as DocumentType,
          docNumber,
          name,
          startDate: start,
          endDate: end,
        });
        officers.push(saved);
        model.setOfficer({ tin, role: o.role, docType, docNumber, name, start, end });
        return `officer #${officers.length - 1}: U${o.unit} ${o.role} is ${whoText(o.who)} from ${start} to ${end ?? "—"}`;
      }
      case "officer-leaves": {
        const index = o.pick % officers.length;
        const end = plusDays(model.today(), o.end);
        await units.endOfficer(officers[index] as Officer, end);
        model.endOfficer(index, end);
        return `officer #${index} leaves: term ends ${end}`;
      }
    }
  }

  /** Every listing, from the companion, with grants, units and people by label. */
  async function observed(): Promise<Record<string, unknown>> {
    const seen: Record<string, unknown> = {};
    const mine = (tin: string) => tins.slice(0, 2).includes(tin);
    for (const p of pool) {
      for (const tin of tins.slice(0, 2)) {
        let detail: unknown;
        try {
          const d = await service.unitDetail(p.id, tin);
          detail = {
            roles: d.roles,
            grantLimit: d.grantLimit,
            ownGrantId: d.ownGrantId && label(d.ownGrantId),
            grants: (await everyPage((query) => service.unitGrants(p.id, tin, query))).map((g) => ({
              id: label(g.id),
              permission: g.permission,
              termType: g.termType,
              startDate: g.startDate,
              endDate: g.endDate,
              status: g.status,
              needsReview: g.needsReview,
              grantedAs: g.grantedBy.role,
            })),
          };
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          detail = error.code;
        }
        seen[`${p.name} opens ${unitLabel(tin)}`] = detail;
      }
      // Earlier runs' grants and offices have all ended (retire()), so the badge and the flag are this run's.
      const my = await service.myGrants(p.id, { limit: 1 });
      seen[`${p.name}'s 我的办税权限`] = (await everyPage((query) => service.myGrants(p.id, query)))
        .filter((g) => mine(g.unit.tin))
        .map((g) => ({ id: label(g.id), unit: unitLabel(g.unit.tin), status: g.status }));
      seen[`${p.name}'s badge and manager flag`] = { endingSoon: my.endingSoon, managesUnits: my.managesUnits };
      seen[`${p.name}'s managed units`] = (await everyPage((query) => service.managedUnits(p.id, query)))
        .filter((u) => mine(u.tin))
        .map((u) => ({ unit: unitLabel(u.tin), roles: u.roles, grantCount: u.grantCount, reviewCount: u.reviewCount }));
    }
    return seen;
  }

  /** The same listings, from the model. */
  function expected(): Record<string, unknown> {
    const seen: Record<string, unknown> = {};
    for (const p of pool) {
      for (const tin of model.tins) {
        const d = model.unitDetail(p.id, tin);
        seen[`${p.name} opens ${unitLabel(tin)}`] =
          typeof d === "string"
            ? d
            : {
                ...d,
                ownGrantId: d.ownGrantId && label(d.ownGrantId),
                grants: d.grants.map((g) => ({ ...g, id: label(g.id) })),
              };
      }
      seen[`${p.name}'s 我的办税权限`] = model
        .myGrants(p.id)
        .map((g) => ({ id: label(g.id), unit: unitLabel(g.tin), status: g.status }));
      seen[`${p.name}'s badge and manager flag`] = {
        endingSoon: model.endingSoon(p.id),
        managesUnits: model.managedUnits(p.id).length > 0,
      };
      seen[`${p.name}'s managed units`] = model
        .managedUnits(p.id)
        .map(({ tin, ...u }) => ({ unit: unitLabel(tin), ...u }));
    }
    return seen;
  }

  // Tax registration to start with: U0's 法定代表人 王法人 and 财务负责人 陈财务; U1's 法定代表人 陈财务.
  const initial: Array<[number, OfficeRole, number]> = [
    [0, "法定代表人", 0],
    [0, "财务负责人", 1],
    [1, "法定代表人", 1],
  ];
  for (const [u, role, p] of initial) {
    const { docType, docNumber, name } = pool[p] as ModelPerson;
    const tin = tins[u] as string;
    const officer = { unitTin: tin, role, docType: docType as DocumentType, docNumber, name };
    officers.push(await units.setOfficer({ ...officer, startDate: "2020-01-01", endDate: null }));
    model.setOfficer({ tin, role, docType, docNumber, name, start: "2020-01-01", end: null });
    log.push(`    officer #${officers.length - 1}: U${u} ${role} is ${name} from 2020-01-01`);
  }

  for (const [index, o] of ops.entries()) {
    clock.advance(TICK);
    model.now = clock.now();
    const when = new Date(clock.now() + 8 * HOUR).toISOString().slice(0, 16).replace("T", " ");
    const result = await perform(o);
    model.now = clock.now();
    if (typeof result === "string") {
      log.push(`${String(index + 1).padStart(2)}. [${when}] ${result}`);
      count(o.kind);
    } else {
      const [what, sut, modelDecision] = result;
      log.push(`${String(index + 1).padStart(2)}. [${when}] ${what} → ${text(sut)}`);
      count(`${o.kind}${what.includes("(管理权限)") ? " by a 管理权限-only manager" : ""} → ${text(sut)}`);
      if (text(sut) !== text(modelDecision)) {
        fail(`Decision differs at step ${index + 1}: companion ${text(sut)}, model ${text(modelDecision)}`);
      }
    }
    const [got, want] = [await observed(), expected()];
    const differences = Object.keys(want)
      .filter((key) => JSON.stringify(got[key]) !== JSON.stringify(want[key]))
      .map((key) => `  ${key}:\n    companion ${JSON.stringify(got[key])}\n    model     ${JSON.stringify(want[key])}`);
    if (differences.length > 0) {
      fail(`Listings differ after step ${index + 1} (today ${shanghaiDay(clock.now())}):\n${differences.join("\n")}`);
    }
    if (model.grants.some((g) => model.needsReview(g))) count("(steps after which some grant is 需复核)");
  }
}

// ---- the property ------------------------------------------------------------------------------

/**
 * Sequences that once told the companion and the model apart, replayed as they are (grants and
 * people are picked by position: managers of U0 are [王法人, 陈财务], grant 0 is g1, grant 1 is g2).
 */
const FOUND: Array<{ name: string; ops: Op[] }> = [
  {
    // The 需复核 rule asks whether the 管理权限 grant ended after the grant was last looked at. A 变更
    // that sets that grant's end date in the past ends it right then, but the companion dates the
    // end at 00:00 the day after the new end date — before the look — so g2 is silently kept.
    name: "a 管理权限 grant ended by a 变更 to a past end date marks the grants made under it 需复核",
    ops: [
      {
        kind: "add",
        unit: 0,
        actor: { among: "managers", pick: 0 },
        grantee: { person: 2 },
        term: { permission: "管理权限", termType: "长期", start: 0, length: 0 },
      },
      {
        kind: "add",
        unit: 0,
        actor: { among: "grant-holders", pick: 0 },
        grantee: { person: 3 },
        term: { permission: "办税权限", termType: "长期", start: 0, length: 0 },
      },
      {
        kind: "change",
        unit: 0,
        actor: { among: "managers", pick: 0 },
        grant: { bogus: false, prefer: "any", pick: 1 },
        term: { permission: "办税权限", termType: "定期", start: 0, length: 3 },
      },
      {
        kind: "change",
        unit: 0,
        actor: { among: "managers", pick: 0 },
        grant: { bogus: false, prefer: "any", pick: 0 },
        term: { permission: "管理权限", termType: "定期", start: -1, length: 0 },
      },
    ],
  },
];

describe("企业办税权限 against the reference model", () => {
  for (const found of FOUND) {
    it(`replays a found sequence: ${found.name}`, () => replay(10 * HOUR, found.ops));
  }

  it(
    `matches every decision and listing over ${NUM_RUNS} random sequences of up to ${MAX_OPS} operations`,
    async () => {
      const seed = process.env.GRANTS_MODEL_SEED;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: DAY / MINUTE - 1 }).map((m) => m * MINUTE),
          fc
            .tuple(story, fc.array(op, { minLength: 3, maxLength: MAX_OPS - 2, size: "max" }))
            .map(([[first, second], rest]) => (second ? [first, second, ...rest] : [first, ...rest])),
          replay,
        ),
        { numRuns: NUM_RUNS, ...(seed ? { seed: Number(seed) } : {}) },
      );
    },
    Math.max(300_000, NUM_RUNS * 3000),
  );
});
