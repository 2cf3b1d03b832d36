import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generateDeclarationPassword } from "../../companion/declaration/passwords.js";
import { sealedVault } from "../../companion/office/office.js";
import { officeStore } from "../../companion/office/office-store.js";
import {
  api,
  lastSmsCode,
  type RunningCompanion,
  runCli,
  startCompanion,
  storeOf,
  TEST_KEYCHAIN_SERVICE,
} from "../support/companion.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { storedDatabaseBytes } from "../support/stored-bytes.js";
import { addUnit, setOfficer } from "../support/units.js";

let companion: RunningCompanion;
let tin: string;
let rep: TestPerson;
let repToken: string;
beforeEach(async () => {
  companion = await startCompanion();
  tin = (await addUnit(companion, { name: "广东QJ4核定4" })).tin;
  rep = await registerPerson(companion, newPerson({ name: "王法人" }));
  await setOfficer(companion, { tin, role: "法定代表人", person: rep });
  repToken = await loginToken(companion, rep);
});
afterEach(() => companion.close());

const reset = (token: string, body: Record<string, unknown>) =>
  api(companion, `/api/units/${tin}/declaration-password/reset`, { token, body });

/**
 * The unit's 申报密码 hash where the companion keeps it: in this keychain on one machine; in an
 * office, in the database sealed under the office key (opened here with this machine's membership).
 */
async function storedDeclarationHash(tin: string): Promise<{ password: string } | undefined> {
  const core = companion.app.core;
  if (core.membership) {
    const sealed = await sealedVault(officeStore(core.sql), core.membership, core.clock).get(`declaration:${tin}`);
    return sealed === null ? undefined : { password: sealed };
  }
  const keytar = (await import("keytar")).default;
  return (await keytar.findCredentials(TEST_KEYCHAIN_SERVICE)).find((c) => c.account.endsWith(`:${tin}`));
}

describe("重置申报密码", () => {
  it("resets with the new password twice and the SMS code; only the hash is kept, in the keychain", async () => {
    const sms = await api(companion, `/api/units/${tin}/declaration-password/sms`, { token: repToken, body: {} });
    expect(sms.body).toMatchObject({
      maskedPhone: `${rep.phone.slice(0, 3)}****${rep.phone.slice(7)}`,
      resendAfter: 60,
    });
    const smsCode = await lastSmsCode(companion.dataDir, rep.phone);
    const mismatch = await reset(repToken, { newPassword: "Qj4pass2026", confirmPassword: "Qj4pass2027", smsCode });
    expect(mismatch.body.fields).toEqual({ confirmPassword: "两次输入的申报密码不一致" });
    const weak = await reset(repToken, { newPassword: "onlyletters", confirmPassword: "onlyletters", smsCode });
    expect(weak.body.fields.newPassword).toBe("申报密码须同时包含字母和数字");
    expect(
      (await reset(repToken, { newPassword: "Qj4pass2026", confirmPassword: "Qj4pass2026", smsCode })).status,
    ).toBe(204);

    const core = companion.app.core;
    expect(await core.declarationPasswords.matches(tin, "Qj4pass2026")).toBe(true);
    expect(await core.declarationPasswords.matches(tin, "Qj4pass2027")).toBe(false);
    const stored = await storedDeclarationHash(tin);
    expect(stored?.password).toMatch(/^\$argon2id\$/);
    const bytes = await storedDatabaseBytes(companion);
    expect(bytes.includes(Buffer.from(tin))).toBe(true); // the copy really holds the data
    expect(bytes.includes(Buffer.from("Qj4pass2026"))).toBe(false);
    expect(bytes.includes(Buffer.from(stored?.password ?? "no hash"))).toBe(false);
    expect(companion.logs.join("")).not.toContain("Qj4pass2026");
  });

  it("says exactly what the seed says when the officer has no bound phone", async () => {
    await companion.app.core.sql.run("UPDATE people SET phone = NULL WHERE login_name = ?", [rep.loginName]);
    const res = await api(companion, `/api/units/${tin}/declaration-password/sms`, { token: repToken, body: {} });
    expect(res.body).toEqual({
      code: "PHONE_NOT_BOUND",
      message: "您账户的手机号码尚未绑定，请先进入安全中心绑定手机",
    });
  });

  it("is for the legal rep and finance managers only, not for 管理权限 holders or clerks", async () => {
    const manager = await registerPerson(companion, newPerson({ name: "周管理" }));
    await api(companion, `/api/units/${tin}/grants`, {
      token: repToken,
      body: {
        docType: manager.docType,
        docNumber: manager.docNumber,
        name: manager.name,
        permission: "管理权限",
        termType: "长期",
        startDate: "2020-01-01",
      },
    });
    const res = await api(companion, `/api/units/${tin}/declaration-password/sms`, {
      token: await loginToken(companion, manager),
      body: {},
    });
    expect(res.body.code).toBe("NOT_UNIT_OFFICER");
  });

  it("can be issued by the hall, generated and shown once, or given", async () => {
    const out = await runCli(["hall", "declaration-password", "issue", "--unit", tin], storeOf(companion));
    const password = out.match(/申报密码为 ([A-Za-z0-9]{12})（只显示这一次/)?.[1] as string;
    expect(await companion.app.core.declarationPasswords.matches(tin, password)).toBe(true);
    await expect(
      runCli(["hall", "declaration-password", "issue", "--unit", tin, "--password", "short1"], {
        ...storeOf(companion),
      }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining("申报密码长度应为8-20位") });
    expect(
      await runCli(["hall", "declaration-password", "issue", "--unit", tin, "--password", "Given2026x"], {
        ...storeOf(companion),
      }),
    ).toContain("已设置");
    expect(await companion.app.core.declarationPasswords.matches(tin, "Given2026x")).toBe(true);
  });
});

it("generated declaration passwords follow the policy", () => {
  for (let i = 0; i < 200; i++)
    expect(generateDeclarationPassword()).toMatch(/^(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9]{12}$/);
});
