import { randomUUID } from "node:crypto";
import type { PeopleStore } from "../accounts/people.js";
import type { Clock } from "../clock.js";
import type { DeclarationPasswords } from "../declaration/passwords.js";
import type { UnitChanges } from "../events/unit-changes.js";
import type { Managers } from "../grants/managers.js";
import { type DirectAccess, directAccess } from "./access.js";

export type EntryVia = DirectAccess | "password" | "ca";

interface UnitSession {
  id: string;
  personId: string;
  tin: string;
  via: EntryVia;
  /** For password entries: the unit's password version at entry. */
  passwordVersion: number;
  /** For CA entries: when the certificate stops being valid. */
  validUntil?: number;
  end(reason: string): void;
}

/** Why a session ended, as the desktop client shows it. */
export const UNIT_SESSION_END_REASONS = {
  grant: "您对该单位的办税授权已解除或已过期",
  office: "您已不再是该单位的法定代表人或财务负责人",
  password: "该单位的申报密码已重置，请使用新密码重新进入",
  ca: "CA证书已过期，请重新校验",
} as const;

const TICK_MS = 1_000;
/** Sessions re-checked per turn of the event loop when the date changes. */
const RECHECK_BATCH = 200;

export interface UnitSessionsDeps {
  clock: Clock;
  today: () => string;
  people: PeopleStore;
  managers: Managers;
  declarationPasswords: Pick<DeclarationPasswords, "version">;
  changes: UnitChanges;
}

/**
 * The units desktop clients are working in. A session is re-checked when something changes at its
 * unit (grants, offices, 申报密码 — from this process or another, such as the hall CLI), when the
 * Shanghai date changes (terms begin and end), and a CA session when its certificate runs out: when
 * the access it was opened with is gone, it ends at once with the reason. Between those events
 * nothing is scanned: a tick only compares the clock with the next deadline.
 */
export function unitSessionService(deps: UnitSessionsDeps) {
  const open = new Map<string, UnitSession>();
  const byUnit = new Map<string, Set<string>>();
  /** CA sessions, the only ones with a deadline of their own. */
  const withCertificate = new Set<UnitSession>();
  let checkedDate = deps.today();

  async function stillValid(session: UnitSession): Promise<boolean> {
    if (session.via === "password") {
      return (await deps.declarationPasswords.version(session.tin)) === session.passwordVersion;
    }
    if (session.via === "ca") return deps.clock.now() <= (session.validUntil ?? 0);
    const person = await deps.people.byId(session.personId);
    // An officer who also holds a grant keeps the session through either.
    return person !== null && (await directAccess(deps.managers, person, session.tin, deps.today())) !== null;
  }

  function forget(session: UnitSession): void {
    open.delete(session.id);
    withCertificate.delete(session);
    const ofUnit = byUnit.get(session.tin);
    ofUnit?.delete(session.id);
    if (ofUnit?.size === 0) byUnit.delete(session.tin);
  }

  async function check(session: UnitSession): Promise<void> {
    if (!open.has(session.id)) return;
    // A database that cannot answer now ends nothing: the next change or date check asks again.
    const valid = await stillValid(session).catch(() => true);
    if (valid || !open.has(session.id)) return;
    forget(session);
    session.end(UNIT_SESSION_END_REASONS[session.via]);
  }

  const sessionsOf = (tin: string): UnitSession[] =>
    [...(byUnit.get(tin) ?? [])].map((id) => open.get(id)).filter((s) => s !== undefined);

  /** Every session, a batch per turn of the event loop, so thousands never hold it up. */
  async function recheckAll(): Promise<void> {
    const pending = [...open.values()];
    while (pending.length > 0) {
      await Promise.all(pending.splice(0, RECHECK_BATCH).map(check));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  const recheckUnit = (tin: string) => Promise.all(sessionsOf(tin).map(check));
  const unwatch = deps.changes.watch(({ tin }) => void recheckUnit(tin));
  const tick = setInterval(() => {
    const date = deps.today();
    if (date !== checkedDate) {
      checkedDate = date;
      void recheckAll();
      return;
    }
    const now = deps.clock.now();
    for (const session of withCertificate) if (now > (session.validUntil ?? 0)) void check(session);
  }, TICK_MS);
  tick.unref();

  return {
    open(entry: Omit<UnitSession, "id">): string {
      const id = randomUUID();
      const session = { ...entry, id };
      open.set(id, session);
      if (session.via === "ca") withCertificate.add(session);
      byUnit.set(entry.tin, (byUnit.get(entry.tin) ?? new Set()).add(id));
      return id;
    },
    close(id: string): void {
      const session = open.get(id);
      if (session) forget(session);
    },
    /** Re-checks the sessions of these units now (the login behind them ended, say). */
    async recheck(tins: Iterable<string>): Promise<void> {
      await Promise.all([...tins].map(recheckUnit));
    },
    count: () => open.size,
    stop(): void {
      clearInterval(tick);
      unwatch();
    },
  };
}

export type UnitSessions = ReturnType<typeof unitSessionService>;
