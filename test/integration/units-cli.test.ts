import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { shanghaiDate } from "../../shared/dates.js";
import { api, type RunningCompanion, runCli, startCompanion, storeOf } from "../support/companion.js";
import { loginToken, newPerson, registerPerson } from "../support/people.js";
import { addUnit, newTin, setOfficer } from "../support/units.js";

let companion: RunningCompanion;
beforeEach(async () => {
  companion = await startCompanion();
});
afterEach(() => companion.close());

const cli = (...args: string[]) => runCli(args, storeOf(companion));
/** What someone with the database in hand runs to get past the history's append-only guard. */
const dropTrigger = (name: string) =>
  companion.app.core.sql.dialect === "postgres" ? `DROP TRIGGER ${name} ON audit_log` : `DROP TRIGGER ${name}`;
const cliError = (...args: string[]) =>
  cli(...args).then(
    () => "",
    (error: { stderr: string }) => error.stderr,
  );

describe("hall unit and officer commands", () => {
  it("adds a unit, refuses a bad 纳税人识别号, shows the unit with its officers", async () => {
    const tin = newTin();
    expect(
      await cli(
        "hall",
        "unit",
        "add",
        "--tin",
        tin.toLowerCase(),
        "--name",
        "广东QJ4核定4",
        "--departments",
        "财务部|销售部",
      ),
    ).toBe(`已登记: ${tin} 广东QJ4核定4\n`);
    const wrongCheck = tin.slice(0, 17) + (tin.endsWith("0") ? "1" : "0");
    expect(await cliError("hall", "unit", "add", "--tin", wrongCheck, "--name", "x")).toContain(
      "统一社会信用代码校验位错误",
    );
    const rep = newPerson({ name: "王法人" });
    expect(
      await cli(
        "hall",
        "officer",
        "set",
        "--unit",
        tin,
        "--role",
        "法定代表人",
        "--doc-type",
        rep.docType,
        "--doc-number",
        rep.docNumber,
        "--name",
        rep.name,
        "--from",
        "2020-01-01",
      ),
    ).toContain("已记录");
    const shown = await cli("hall", "unit", "show", tin);
    expect(shown).toContain("纳税人名称:   广东QJ4核定4");
    expect(shown).toContain("部门:         财务部、销售部");
    expect(shown).toMatch(/法定代表人 王法人 居民身份证 \d{3}\*{5}\w{3} 2020-01-01 至 今/);
  });

  it("a recorded officer who registers later manages the unit", async () => {
    const tin = (await addUnit(companion, { name: "广东QJ1查账" })).tin;
    const finance = newPerson({ name: "钱财务" });
    await cli(
      "hall",
      "officer",
      "set",
      "--unit",
      tin,
      "--role",
      "财务负责人",
      "--doc-type",
      finance.docType,
      "--doc-number",
      finance.docNumber,
      "--name",
      finance.name,
      "--from",
      "2021-01-01",
    );
    await registerPerson(companion, finance);
    const units = await api(companion, "/api/units/managed", { token: await loginToken(companion, finance) });
    expect(units.body.items).toMatchObject([{ tin, roles: ["财务负责人"] }]);
  });

  it("imports units from CSV all or nothing, with a report per wrong row", async () => {
    const good = [newTin(), newTin()];
    const file = join(companion.dataDir, "units.csv");
    const header = "纳税人识别号,纳税人名称,部门,分部门申报,综合所得申报,经营所得";
    writeFileSync(
      file,
      `\uFEFF${header}\r\n${good[0]},"广东QJ云合伙, 有限",1|2,已启用,待申报,待申报\r\n${good[1]},广东QJ5核定1,,未备案,待申报,\r\n123,坏单位,,未备案,待申报,\r\n${good[0]},重复,,,,\r\n${newTin()},状态错,,已经备案,待申报,\r\n`,
    );
    const report = await cliError("hall", "unit", "import", file);
    expect(report).toContain("导入失败，未写入任何单位");
    expect(report).toContain("第 4 行: 纳税人识别号应为18位统一社会信用代码");
    expect(report).toContain("第 5 行: 纳税人识别号与第 2 行重复");
    expect(report).toContain("第 6 行: 分部门申报应为 未备案 或 已启用");
    expect(await companion.app.core.units.unit(good[0] as string)).toBeNull();

    writeFileSync(
      file,
      `${header}\n${good[0]},"广东QJ云合伙, 有限",1|2,已启用,待申报,待申报\n${good[1]},广东QJ5核定1,,,,\n`,
    );
    expect(await cli("hall", "unit", "import", file)).toBe("已导入 2 个单位\n");
    expect(await companion.app.core.units.unit(good[0] as string)).toMatchObject({
      name: "广东QJ云合伙, 有限",
      departments: ["1", "2"],
      departmentFiling: "已启用",
      businessIncome: "待申报",
    });
  });
});

describe("本市单位 (CA entry) from the CLI", () => {
  it("shows the mark in unit show, changes it with unit set, refuses a bad import cell", async () => {
    const tin = newTin();
    await cli("hall", "unit", "add", "--tin", tin, "--name", "本市单位甲");
    expect(await cli("hall", "unit", "show", tin)).toContain("本市单位:     否（不能用CA证书校验）");
    expect(await cli("hall", "unit", "set", tin, "--local")).toBe(
      `已更改: ${tin} 本市单位: 是（可用CA证书进行单位办税验证）\n`,
    );
    expect(await cli("hall", "unit", "show", tin)).toContain("本市单位:     是（可用CA证书进行单位办税验证）");
    expect(await cliError("hall", "unit", "set", tin)).toContain("请给出 --local 或 --no-local");
    expect(await cliError("hall", "unit", "set", newTin(), "--local")).toContain("未找到该纳税人识别号对应的单位");

    const file = join(companion.dataDir, "units.csv");
    writeFileSync(
      file,
      `纳税人识别号,纳税人名称,部门,分部门申报,综合所得申报,经营所得,本市单位\n${tin},本市单位甲,,,,,可以\n`,
    );
    expect(await cliError("hall", "unit", "import", file)).toContain("第 2 行: 本市单位应为 是、否 或空");
    expect(await companion.app.core.units.isLocal(tin)).toBe(true);
  });
});

describe("history and access report", () => {
  async function unitWithHistory() {
    const tin = (await addUnit(companion, { name: "广东QJ4核定4" })).tin;
    const rep = await registerPerson(companion, newPerson({ name: "王法人" }));
    const clerk = await registerPerson(companion, newPerson({ name: "李办税" }));
    await setOfficer(companion, { tin, role: "法定代表人", person: rep, startDate: "2020-01-01" });
    const token = await loginToken(companion, rep);
    const grant = await api(companion, `/api/units/${tin}/grants`, {
      token,
      body: {
        docType: clerk.docType,
        docNumber: clerk.docNumber,
        name: clerk.name,
        permission: "办税权限",
        termType: "长期",
        startDate: "2026-01-01",
      },
    });
    await api(companion, `/api/units/${tin}/grants/${grant.body.id}/change`, {
      token,
      body: { permission: "管理权限", termType: "长期", startDate: "2026-01-01" },
    });
    return { tin, rep, clerk };
  }

  it("audit verify passes on an intact history and finds an edited or deleted row", async () => {
    await unitWithHistory();
    expect(await cli("audit", "verify")).toBe("✔ 变更记录完整：共 2 条\n");
    const { sql } = companion.app.core;
    // Someone with the database file in hand: drop the guard triggers and edit a row.
    await sql.run(dropTrigger("audit_log_no_update"));
    await sql.run(dropTrigger("audit_log_no_delete"));
    await sql.run("UPDATE audit_log SET after = replace(after, '管理权限', '办税权限') WHERE seq = 2");
    expect(await cliError("audit", "verify")).toBe("");
    await expect(cli("audit", "verify")).rejects.toMatchObject({
      stdout: "✘ 变更记录被篡改：第 2 条记录的内容被改动\n",
    });
    await sql.run("DELETE FROM audit_log WHERE seq = 2");
    await expect(cli("audit", "verify")).rejects.toMatchObject({ stdout: expect.stringContaining("末尾的记录被删除") });
  });

  it("finds a row removed from the middle of the chain", async () => {
    await unitWithHistory();
    await companion.app.core.sql.run(dropTrigger("audit_log_no_delete"));
    await companion.app.core.sql.run("DELETE FROM audit_log WHERE seq = 1");
    await expect(cli("audit", "verify")).rejects.toMatchObject({ stdout: "✘ 变更记录被篡改：第 1 条记录缺失\n" });
  });

  it("report access names the offices and the grants in force that day", async () => {
    const { tin } = await unitWithHistory();
    const today = await cli("report", "access", "--unit", tin, "--date", shanghaiDate(Date.now()));
    expect(today).toMatch(/王法人\t居民身份证 \d{3}\*{5}\w{3}\t法定代表人/);
    expect(today).toMatch(/李办税\t居民身份证 \d{3}\*{5}\w{3}\t授权: 管理权限 \(/);
    const before = await cli("report", "access", "--unit", tin, "--date", "2019-12-31");
    expect(before).toBe(`${tin} 在 2019-12-31 可办税的人员：\n  （无）\n`);
    expect(await cliError("report", "access", "--unit", tin, "--date", "2026-13-01")).toContain("日期");
  });
});
