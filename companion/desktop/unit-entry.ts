import type { DesktopRequest } from "../../shared/desktop/protocol.js";
import type { PeopleStore } from "../accounts/people.js";
import { type DeclarationPasswords, declarationSubject } from "../declaration/passwords.js";
import type { DeclarationUnitGuard } from "../declaration/unit-guard.js";
import { AppError } from "../errors.js";
import type { Managers } from "../grants/managers.js";
import { qrSvg } from "../qr-svg.js";
import { type GuardedAttemptDeps, guardedAttempt } from "../security/attempt-guard.js";
import type { UnitsStore } from "../units/units.js";
import { type DirectAccess, directAccess } from "./access.js";

type EnterRequest = Extract<DesktopRequest, { type: "unit.enter" }>;

export interface UnitEntryDeps extends GuardedAttemptDeps {
  units: UnitsStore;
  people: PeopleStore;
  managers: Managers;
  today: () => string;
  declarationPasswords: DeclarationPasswords;
  declarationUnitGuard: DeclarationUnitGuard;
  appDownloadUrl: string;
  /** The extension whose pages the links open: the first store ID listed, else the development one. */
  extensionOrigin: string;
}

/**
 * 单位办税验证: with an active grant, or as legal rep or finance manager, the person enters directly;
 * anyone else gives the unit's 申报密码, under the same counter, captcha and 120-minute lock as the
 * login password (per person, per unit), and under the unit-wide counter across people.
 */
export async function enterUnit(
  deps: UnitEntryDeps,
  personId: string,
  request: EnterRequest,
): Promise<{ tin: string; name: string; via: DirectAccess | "password"; passwordVersion: number }> {
  const unit = await deps.units.requireUnit(request.tin);
  const person = await deps.people.byId(personId);
  if (!person) throw new AppError("UNAUTHENTICATED");
  const entered = async (via: DirectAccess | "password") => ({
    tin: unit.tin,
    name: unit.name,
    via,
    passwordVersion: await deps.declarationPasswords.version(unit.tin),
  });

  const direct = await directAccess(deps.managers, person, unit.tin, deps.today());
  if (direct) return entered(direct);
  const { declarationUnitGuard: unitGuard } = deps;
  // Before the prompt, and before the person's own counter: a closed unit spends nobody's tries.
  await unitGuard.refuseIfClosed(unit.tin);
  if (!request.declarationPassword) throw new AppError("DECLARATION_PASSWORD_REQUIRED");
  if (!(await deps.declarationPasswords.isSet(unit.tin))) throw new AppError("DECLARATION_PASSWORD_NOT_SET");
  const password = request.declarationPassword;
  return guardedAttempt(deps, {
    subject: declarationSubject(personId, unit.tin),
    captcha: request,
    check: async () => {
      const failure = await unitGuard.reserve(unit.tin);
      const right = await deps.declarationPasswords.matches(unit.tin, password).catch(async (error: unknown) => {
        await unitGuard.refund(unit.tin, failure);
        throw error;
      });
      if (right) await unitGuard.refund(unit.tin, failure);
      // Telling the unit's managers is not part of the answer: a failure there changes nothing here.
      else void unitGuard.failed(unit.tin).catch(() => undefined);
      return right;
    },
    onSuccess: () => entered("password"),
    refusals: { failed: "DECLARATION_PASSWORD_WRONG", locked: "DECLARATION_LOCKED" },
  });
}

/** The seed's 申报密码重置渠道选择: the web page where officers reset it, and the app's QR code. */
export async function forgotDeclarationPassword(
  deps: Pick<UnitEntryDeps, "units" | "appDownloadUrl" | "extensionOrigin">,
  tin: string,
) {
  await deps.units.requireUnit(tin);
  const webUrl = `${deps.extensionOrigin}/manage.html#unit=${tin}`;
  return {
    notice:
      "申报密码遗失，可由税务登记的企业法定代表人或财务负责人通过APP或WEB渠道进行重置，您也可以前往办税大厅重置。",
    webUrl,
    appUrl: deps.appDownloadUrl,
    appQrSvg: await qrSvg(deps.appDownloadUrl),
  };
}
