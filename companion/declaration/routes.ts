import type { FastifyPluginAsync } from "fastify";
import { declarationApi, mayResetDeclarationPassword } from "../../shared/api/declaration.js";
import { maskPhone } from "../../shared/identity/account-rules.js";
import type { Person } from "../accounts/people.js";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import { serve } from "../http/serve.js";

/** What these routes use of the companion. */
export type DeclarationRoutesDeps = Pick<Core, "declarationPasswords" | "grants" | "people" | "smsCodes" | "units">;

/** 重置申报密码 by the unit's legal rep or a finance manager, confirmed by an SMS to their bound phone. */
const declarationRoutes: FastifyPluginAsync<DeclarationRoutesDeps> = async (app, core) => {
  /** The logged-in officer of the unit, with a bound phone. */
  async function officer(personId: string, tin: string): Promise<Person & { phone: string }> {
    const person = await core.people.byId(personId);
    if (!person) throw new AppError("UNAUTHENTICATED");
    await core.units.requireUnit(tin);
    const { roles } = await core.grants.managers.authority(person, tin, core.grants.today());
    if (!mayResetDeclarationPassword(roles)) throw new AppError("NOT_UNIT_OFFICER");
    if (!person.phone) throw new AppError("PHONE_NOT_BOUND");
    return { ...person, phone: person.phone };
  }

  serve(app, declarationApi.declarationSms, async ({ personId, params }) => {
    const { phone } = await officer(personId, params.tin);
    const sent = await core.smsCodes.send("declaration-reset", phone);
    return { maskedPhone: maskPhone(phone), ...sent };
  });

  serve(app, declarationApi.resetDeclarationPassword, async ({ personId, params, body }) => {
    const { phone } = await officer(personId, params.tin);
    await core.smsCodes.verify("declaration-reset", phone, body.smsCode);
    await core.declarationPasswords.set(params.tin, body.newPassword);
  });
};

export default declarationRoutes;
