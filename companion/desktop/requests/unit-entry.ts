import { type CaEntry, CHALLENGE_TTL_MS } from "../../ca/ca-entry.js";
import { AppError } from "../../errors.js";
import { enterUnit, forgotDeclarationPassword, type UnitEntryDeps } from "../unit-entry.js";
import type { DesktopHandlers } from "./handlers.js";

export interface UnitEntryRequestDeps extends UnitEntryDeps {
  ca: Pick<CaEntry, "newChallenge" | "verify">;
}

/** 进入 a unit (单位办税验证, or a CA certificate for 本市单位), leaving it, and 忘记申报密码. */
export function unitEntryRequests(
  deps: UnitEntryRequestDeps,
): DesktopHandlers<"unit.enter" | "unit.challenge" | "unit.enter.ca" | "unit.leave" | "declaration.forgot"> {
  /** CA entry is for 本市单位 only. */
  async function localUnit(tin: string) {
    const unit = await deps.units.requireUnit(tin);
    if (!(await deps.units.isLocal(unit.tin))) throw new AppError("CA_NOT_ALLOWED");
    return unit;
  }

  return {
    "unit.enter": async (request, connection) => {
      const personId = await connection.requireLogin();
      const entry = await enterUnit(deps, personId, request);
      connection.enterUnit(personId, entry);
      return { tin: entry.tin, name: entry.name, via: entry.via };
    },

    "unit.challenge": async ({ tin }, connection) => {
      await connection.requireLogin();
      const unit = await localUnit(tin);
      const challenge = deps.ca.newChallenge();
      connection.challenges.set(unit.tin, { challenge, at: Date.now() });
      return { tin: unit.tin, challenge, expiresIn: CHALLENGE_TTL_MS / 1000 };
    },

    "unit.enter.ca": async (request, connection) => {
      const personId = await connection.requireLogin();
      const unit = await localUnit(request.tin);
      const issued = connection.challenges.get(unit.tin);
      // A challenge is good for one try, and for a minute.
      connection.challenges.delete(unit.tin);
      if (!issued || issued.challenge !== request.challenge || Date.now() - issued.at > CHALLENGE_TTL_MS) {
        throw new AppError("CA_CHALLENGE_EXPIRED");
      }
      const { validUntil } = await deps.ca.verify(unit.tin, request.challenge, request.certificates, request.signature);
      connection.enterUnit(personId, { tin: unit.tin, via: "ca", passwordVersion: 0, validUntil });
      return { tin: unit.tin, name: unit.name, via: "ca" };
    },

    "unit.leave": async ({ tin }, connection) => {
      await connection.requireLogin();
      connection.leaveUnit(tin);
      return {};
    },

    "declaration.forgot": async ({ tin }, connection) => {
      await connection.requireLogin();
      return forgotDeclarationPassword(deps, tin);
    },
  };
}
