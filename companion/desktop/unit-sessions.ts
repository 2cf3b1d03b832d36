import { randomUUID } from "node:crypto";
import type { Core } from "../core.js";
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

/**
 * The units desktop clients are working in. Each is re-checked whenever its unit's grants change
 * and once a second (dates roll over, offices change, the hall CLI resets a password in another
 * process): when the access it was opened with is gone, it ends at once with the reason.
 */
export function unitSessions(core: Core) {
  const open = new Map<string, UnitSession>();

  function stillValid(session: UnitSession): boolean {
    if (session.via === "password") return core.declarationPasswords.version(session.tin) === session.passwordVersion;
    if (session.via === "ca") return core.clock.now() <= (session.validUntil ?? 0);
    const person = core.people.byId(session.personId);
    const access = person ? directAccess(core, person, session.tin, core.grants.today()) : null;
    // An officer who also holds a grant keeps the session through either.
    return access !== null;
  }

  function revalidate(tin?: string): void {
    for (const session of [...open.values()]) {
      if (tin !== undefined && session.tin !== tin) continue;
      if (stillValid(session)) continue;
      open.delete(session.id);
      session.end(UNIT_SESSION_END_REASONS[session.via]);
    }
  }

  const unwatch = core.hub.watchUnits((tin) => revalidate(tin));
  const sweep = setInterval(() => revalidate(), 1000);
  sweep.unref();

  return {
    open(entry: Omit<UnitSession, "id">): string {
      const id = randomUUID();
      open.set(id, { ...entry, id });
      return id;
    },
    close(id: string): void {
      open.delete(id);
    },
    revalidate,
    count: () => open.size,
    stop(): void {
      clearInterval(sweep);
      unwatch();
    },
  };
}

export type UnitSessions = ReturnType<typeof unitSessions>;
