/**
 * Names with characters outside the BMP (Ext B and later) and the middle dot U+00B7, through the
 * companion: the hall CLI, registration and 新增授权 keep them exactly (in NFC), count them in code
 * points (50 at most) and match grantees by them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, type RunningCompanion, runCli, startCompanion, storeOf } from "../support/companion.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

const JI = "\u{20BB7}"; // 𠮷 Ext B
const EXT_B = "\u{20000}"; // 𠀀 Ext B, no font draws it here
const EXT_G = "\u{30000}"; // Ext G

let companion: RunningCompanion;
beforeAll(async () => {
  companion = await startCompanion();
});
afterAll(() => companion?.close());

const storedName = async (person: TestPerson) => (await companion.app.core.people.byLoginName(person.loginName))?.name;

const verify = (person: TestPerson, registrationCode: string) =>
  api(companion, "/api/register/verify", {
    body: {
      registrationCode,
      docType: person.docType,
      docNumber: person.docNumber,
      name: person.name,
      nationality: person.nationality,
    },
  });

describe("rare-character names", () => {
  it("prints the hall slip with the name exactly as given", async () => {
    const person = newPerson({ name: `阿依古丽·${JI}${EXT_G}` });
    const slip = await runCli(
      ["hall", "code", "issue", "--doc-type", person.docType, "--doc-number", person.docNumber, "--name", person.name],
      storeOf(companion),
    );
    expect(slip).toContain(`申请人\t${person.name}`);
  });

  it.each([
    ["Ext B last", `张${JI}`],
    ["Ext B first, no font", `${EXT_B}明`],
    ["middle dot and Ext G", `阿依古丽·${EXT_G}`],
  ])("registers and stores %s exactly: %s", async (_, name) => {
    const person = await registerPerson(companion, newPerson({ name }));
    expect(await storedName(person)).toBe(name);
    const login = await api(companion, "/api/login", {
      body: { account: person.loginName, password: person.password },
    });
    expect(login.body.person.maskedName).toBe(`${"*".repeat([...name].length - 1)}${[...name].at(-1)}`);
  });

  it("stores NFC: a decomposed é entered matches the code issued for é and is kept composed", async () => {
    const person = newPerson({ name: "José García" });
    const { code } = await companion.app.core.registrationCodes.issue(person);
    const decomposed = { ...person, name: "Jose\u0301 Garci\u0301a" };
    expect((await verify(decomposed, code)).status).toBe(200);
    const registered = await registerPerson(
      companion,
      decomposed,
      (await companion.app.core.registrationCodes.issue(person)).code,
    );
    expect(await storedName(registered)).toBe("José García");
  });

  it("counts code points: 50 Ext B characters (100 UTF-16 units) pass, 51 do not", async () => {
    const fifty = newPerson({ name: EXT_B.repeat(50) });
    const { code } = await companion.app.core.registrationCodes.issue(fifty);
    expect((await verify(fifty, code)).status).toBe(200);
    const tooLong = await verify({ ...fifty, name: EXT_B.repeat(51) }, code);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.fields).toEqual({ name: "姓名不能超过50个字符" });
  });

  it("matches a grantee by the exact rare-character name (新增授权)", async () => {
    const tin = (await addUnit(companion)).tin;
    const rep = await registerPerson(companion, newPerson({ name: "王法人" }));
    await setOfficer(companion, { tin, role: "法定代表人", person: rep });
    const clerk = await registerPerson(companion, newPerson({ name: `宋${JI}` }));
    const token = await loginToken(companion, rep);
    const grant = (name: string) =>
      api(companion, `/api/units/${tin}/grants`, {
        token,
        body: {
          docType: clerk.docType,
          docNumber: clerk.docNumber,
          name,
          permission: "办税权限",
          termType: "长期",
          startDate: "2026-01-01",
        },
      });
    expect((await grant("宋吉")).body.code).toBe("GRANTEE_NOT_REGISTERED");
    const made = await grant(`宋${JI}`);
    expect(made.status).toBe(200);
    expect(made.body.grantee.name).toBe(`宋${JI}`);
  });
});
