import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testPki } from "../support/ca.js";
import {
  api,
  KNOWN_CAPTCHA_ANSWER,
  type RunningCompanion,
  runCli,
  startCompanion,
  storeOf,
} from "../support/companion.js";
import { type Desk, runDesk } from "../support/desk.js";
import { approvePairing, connectDesktop } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, newTin, setOfficer } from "../support/units.js";

/**
 * The reference desktop client, `taxauth-desk`, run as a person runs it (the built bin, as a child
 * process) against the real companion: pairing approved in the popup's API, 单位管理, entering a
 * unit, and the companion ending the unit session.
 */

const repoRoot = join(import.meta.dirname, "..", "..");
const DECLARATION_PASSWORD = "Qj4pass2026";

let companion: RunningCompanion;
let rep: TestPerson;
let clerk: TestPerson;
let clerkToken: string;
let units: { password: string; filed: string; departments: string };
let configDir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(join(repoRoot, "dist", "desktop-client", "main.js"))) {
    throw new Error("taxauth-desk is not built: run `npm run build:companion` first");
  }
});

beforeEach(async () => {
  companion = await startCompanion();
  rep = await registerPerson(companion, newPerson({ name: "王法人" }));
  clerk = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  clerkToken = await loginToken(companion, clerk);
  units = {
    password: (await addUnit(companion, { name: "广东QJ4核定4" })).tin,
    filed: (await addUnit(companion, { name: "广东QJ1查账", comprehensiveIncome: "已申报" })).tin,
    departments: (await addUnit(companion, { name: "广东QJ云合伙", departments: ["1"], departmentFiling: "已启用" }))
      .tin,
  };
  await setOfficer(companion, { tin: units.password, role: "法定代表人", person: rep });
  await companion.app.core.declarationPasswords.set(units.password, DECLARATION_PASSWORD);
  configDir = mkdtempSync(join(tmpdir(), "taxauth-desk-test-"));
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await companion.close();
  rmSync(configDir, { recursive: true, force: true });
});

/** Runs `taxauth-desk` against the test companion. */
const desk = (args: string[], options: { env?: Record<string, string>; input?: string } = {}): Desk =>
  runDesk(companion, configDir, children, args, options);

/** `taxauth-desk pair`, approved by the clerk in the popup (its HTTP API). */
async function pairThroughPopup(name = "扣缴客户端（测试）"): Promise<Desk> {
  const pairing = desk(["pair", "--name", name]);
  const [, code = ""] = await pairing.waitFor(/配对码 (\d{6})：请在浏览器扩展的弹出窗口中输入此配对码并允许/);
  await approvePairing(companion, clerkToken, code, name);
  expect(await pairing.exitCode).toBe(0);
  return pairing;
}

/** Puts units on a person's 单位管理 list over the socket, with the token `taxauth-desk pair` saved. */
async function addToList(person: TestPerson, tins: string[]): Promise<void> {
  const { clientToken } = JSON.parse(readFileSync(join(configDir, "client.json"), "utf8"));
  const client = await connectDesktop(companion);
  await client.request("hello", { clientToken });
  await client.request("login", { account: person.loginName, password: person.password });
  for (const tin of tins) await client.request("units.add", { tin });
  client.close();
}

const as = (person: TestPerson, extra: Record<string, string> = {}) => ({
  env: { TAXAUTH_DESK_PASSWORD: person.password, ...extra },
});

describe("taxauth-desk pair", () => {
  it("shows the code, waits for 允许 in the popup, and keeps its own token in a private file", async () => {
    const pairing = await pairThroughPopup();
    expect(pairing.output()).toContain("配对成功");
    const file = join(configDir, "client.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { clientToken } = JSON.parse(readFileSync(file, "utf8"));
    const client = await connectDesktop(companion);
    expect(await client.request("hello", { clientToken })).toMatchObject({ clientName: "扣缴客户端（测试）" });
    client.close();
    const listed = await api(companion, "/api/desktop/clients", { token: clerkToken });
    expect(listed.body.items).toMatchObject([{ name: "扣缴客户端（测试）" }]);
  });

  it("is told when the person chooses 拒绝, and says so", async () => {
    const pairing = desk(["pair", "--name", "来历不明"]);
    const [, code] = await pairing.waitFor(/配对码 (\d{6})/);
    await api(companion, "/api/desktop/pairings/deny", { token: clerkToken, body: { code } });
    expect(await pairing.exitCode).toBe(1);
    expect(pairing.output()).toContain("配对请求被拒绝");
    expect(existsSync(join(configDir, "client.json"))).toBe(false);
  });
});

describe("taxauth-desk request (申请授权)", () => {
  it("asks a unit for a grant; the legal rep sees it pending; a second one is refused", async () => {
    await pairThroughPopup();
    const args = ["request", units.password, "--account", clerk.loginName, "--to", "2030-12-31", "--note", "月度申报"];
    const asked = desk(args, as(clerk));
    expect(await asked.exitCode).toBe(0);
    expect(asked.output()).toMatch(
      /已向 广东QJ4核定4（\w+）申请办税权限，定期 \d{4}-\d{2}-\d{2} 至 2030-12-31，待审批/,
    );
    const pending = await api(companion, `/api/units/${units.password}/grant-requests`, {
      token: await loginToken(companion, rep),
    });
    expect(pending.body.items).toMatchObject([
      { requester: { name: "宋晓明" }, endDate: "2030-12-31", note: "月度申报" },
    ]);
    const again = desk(args, as(clerk));
    expect(await again.exitCode).toBe(1);
    expect(again.output()).toContain("您已向该单位提交过申请");
  });
});

describe("taxauth-desk units (单位管理)", () => {
  beforeEach(async () => {
    await pairThroughPopup();
  });

  it("adds units and prints the seed's table with its totals line", async () => {
    for (const tin of [units.password, units.filed]) {
      expect(await desk(["units", "--account", clerk.loginName, "--add", tin], as(clerk)).exitCode).toBe(0);
    }
    const run = desk(["units", "--account", clerk.phone, "--add", units.departments.toLowerCase()], as(clerk));
    expect(await run.exitCode).toBe(0);
    const lines = run.output().split("\n");
    expect(lines).toContain("单位管理");
    expect(lines.find((l) => l.startsWith("序号"))).toMatch(
      /^序号\s+纳税人识别号\s+纳税人名称\s+部门\s+分部门申报\s+综合所得申报\s+经营所得$/,
    );
    expect(lines.filter((l) => /^\d\s/.test(l))).toEqual([
      expect.stringMatching(new RegExp(`^1\\s+${units.password}\\s+广东QJ4核定4\\s+未备案\\s+待申报$`)),
      expect.stringMatching(new RegExp(`^2\\s+${units.filed}\\s+广东QJ1查账\\s+未备案\\s+已申报$`)),
      expect.stringMatching(new RegExp(`^3\\s+${units.departments}\\s+广东QJ云合伙\\s+1\\[1\\]\\s+已启用\\s+待申报$`)),
    ]);
    expect(lines).toContain("单位总数: 3 综合所得申报情况: 1/3 经营所得预缴申报情况: 0/3");
  });

  it("moves a unit (▲ ▼, or to a position) for its own login; --set-default keeps the order for the next", async () => {
    await addToList(clerk, [units.password, units.filed, units.departments]);
    const order = (output: string) => [...output.matchAll(/^\d\s+(\S+)/gm)].map((m) => m[1]);
    const up = desk(["units", "--account", clerk.loginName, "--up", units.departments], as(clerk));
    expect(await up.exitCode).toBe(0);
    expect(up.output()).toContain(`已移到第 2 位：${units.departments}`);
    expect(up.output()).toContain("（自定义排序只用于本次登录；加 --set-default 设定为默认排序）");
    expect(order(up.output())).toEqual([units.password, units.departments, units.filed]);
    // Each command logs in anew: the move was this login's only.
    const again = desk(["units", "--account", clerk.loginName], as(clerk));
    expect(await again.exitCode).toBe(0);
    expect(order(again.output())).toEqual([units.password, units.filed, units.departments]);

    const saved = desk(
      ["units", "--account", clerk.loginName, "--move", units.filed, "--to", "1", "--set-default"],
      as(clerk),
    );
    expect(await saved.exitCode).toBe(0);
    expect(saved.output()).toContain("已设定为默认排序：以后登录都从此排序开始");
    const listed = desk(["units", "--account", clerk.loginName], as(clerk));
    expect(await listed.exitCode).toBe(0);
    expect(order(listed.output())).toEqual([units.filed, units.password, units.departments]);

    const nowhere = desk(["units", "--account", clerk.loginName, "--move", units.filed, "--to", "0"], as(clerk));
    expect(await nowhere.exitCode).toBe(1);
    expect(nowhere.output()).toContain("--to 应为从1开始的序号");
  });

  it("查询 finds units by 纳税人名称 or 纳税人识别号 (any part, any case), and says when none matches", async () => {
    await addToList(clerk, [units.password, units.filed, units.departments]);
    const order = (output: string) => [...output.matchAll(/^\d\s+(\S+)/gm)].map((m) => m[1]);
    const byName = desk(["units", "--account", clerk.loginName, "--search", "云合伙"], as(clerk));
    expect(await byName.exitCode).toBe(0);
    expect(byName.output()).toContain("查询：云合伙（找到 1 个单位）");
    expect(order(byName.output())).toEqual([units.departments]);
    // The totals line stays the whole list's.
    expect(byName.output()).toContain("单位总数: 3 综合所得申报情况: 1/3 经营所得预缴申报情况: 0/3");

    const byTin = desk(
      ["units", "--account", clerk.loginName, "--search", units.filed.slice(10).toLowerCase()],
      as(clerk),
    );
    expect(await byTin.exitCode).toBe(0);
    expect(order(byTin.output())).toEqual([units.filed]);

    const none = desk(["units", "--account", clerk.loginName, "--search", "不存在的单位"], as(clerk));
    expect(await none.exitCode).toBe(0);
    expect(none.output()).toContain("（没有纳税人识别号或纳税人名称包含“不存在的单位”的单位）");
    expect(none.output()).not.toContain("列表为空");
  });

  it("after a password reset at the tax hall, sends the person to the browser extension first", async () => {
    await pairThroughPopup();
    const slip = await runCli(
      ["hall", "password", "reset", "--doc-type", clerk.docType, "--doc-number", clerk.docNumber, "--name", clerk.name],
      storeOf(companion),
    );
    const oneTime = /您的临时密码为 (\S+) ，/.exec(slip)?.[1] as string;
    const refused = desk(["units", "--account", clerk.loginName], { env: { TAXAUTH_DESK_PASSWORD: oneTime } });
    expect(await refused.exitCode).toBe(1);
    expect(refused.output()).toContain("错误：您的密码已在办税服务厅重置，请先在浏览器扩展中修改密码");
  });

  it("refuses clearly: wrong password, then the captcha; unknown or bad 纳税人识别号; no input", async () => {
    const wrong = desk(["units", "--account", clerk.loginName], { env: { TAXAUTH_DESK_PASSWORD: "Wrong#2026x" } });
    expect(await wrong.exitCode).toBe(1);
    expect(wrong.output()).toContain("错误：账号或密码错误");
    expect(wrong.output()).toContain("还可尝试 4 次");

    // After a wrong password the companion wants the captcha: drawn in the terminal, answered on stdin.
    const withCaptcha = desk(["units", "--account", clerk.loginName, "--add", newTin()], {
      ...as(clerk),
      input: `${KNOWN_CAPTCHA_ANSWER}\n`,
    });
    expect(await withCaptcha.exitCode).toBe(1);
    expect(withCaptcha.output()).toContain("请输入验证码");
    expect(withCaptcha.output()).toMatch(/[▀▄█]{3,}/);
    expect(withCaptcha.output()).toContain("已登录：**明");
    expect(withCaptcha.output()).toContain("错误：未找到该纳税人识别号对应的单位");

    const malformed = desk(["units", "--account", clerk.loginName, "--add", "91440101MA00000000"], as(clerk));
    expect(await malformed.exitCode).toBe(1);
    expect(malformed.output()).toMatch(/错误：填写的信息不符合要求\n {2}纳税人识别号：/);

    const noPassword = desk(["units", "--account", clerk.loginName]);
    expect(await noPassword.exitCode).toBe(1);
    expect(noPassword.output()).toContain("无法读取输入");
  });
});

describe("taxauth-desk enter (单位办税验证)", () => {
  beforeEach(async () => {
    await pairThroughPopup();
  });

  it("enters with the 申报密码 and prints why when a reset ends the unit session (exit 2)", async () => {
    const run = desk(
      ["enter", units.password, "--account", clerk.loginName],
      as(clerk, { TAXAUTH_DESK_DECLARATION_PASSWORD: DECLARATION_PASSWORD }),
    );
    await run.waitFor(/已进入单位：广东QJ4核定4（\w+），验证方式：申报密码/);
    expect(run.output()).toContain("您没有该单位的办税授权，请输入该单位的申报密码");
    await companion.app.core.declarationPasswords.set(units.password, "Fresh2027pw");
    expect(await run.exitCode).toBe(2);
    expect(run.output()).toContain("单位办税已结束：该单位的申报密码已重置，请使用新密码重新进入");
  });

  it("after a wrong 申报密码 asks again, with the captcha drawn in the terminal", async () => {
    const run = desk(["enter", units.password, "--account", clerk.loginName], {
      ...as(clerk),
      // 申报密码 (wrong), 申报密码 again, then the captcha.
      input: `wrong1234\n${DECLARATION_PASSWORD}\n${KNOWN_CAPTCHA_ANSWER}\n`,
    });
    await run.waitFor(/已进入单位：广东QJ4核定4/);
    const output = run.output();
    expect(output).toContain("申报密码错误，还可尝试 4 次");
    expect(output).toMatch(/[▀▄█]{3,}[^\n]*\n[^\n]*[▀▄█]{3,}/);
    expect(output).not.toContain(DECLARATION_PASSWORD);
    await run.waitFor(/按 Ctrl-C 退出单位/);
    run.child.kill("SIGINT");
    expect(await run.exitCode).toBe(0);
    expect(run.output()).toContain("已退出单位：广东QJ4核定4");
  });

  it("忘记申报密码 at the 在线登录 prompt (an empty answer) shows the reset channels and counts no try", async () => {
    const run = desk(["enter", units.password, "--account", clerk.loginName], { ...as(clerk), input: "\n" });
    expect(await run.exitCode).toBe(0);
    const output = run.output();
    expect(output).toContain("申报密码（忘记申报密码？直接按回车）");
    expect(output).toContain("申报密码重置渠道选择");
    expect(output).toContain("点击打开 个人所得税WEB：");
    expect(output).not.toContain("已进入单位");
    const guards = await companion.app.core.sql.all(
      "SELECT subject FROM login_guards WHERE subject LIKE 'declaration:%'",
    );
    expect(guards).toEqual([]);
  });

  it("prints the lock with the minutes to wait", async () => {
    const wrong = { ...as(clerk, { TAXAUTH_DESK_DECLARATION_PASSWORD: "wrong1234" }) };
    for (let i = 0; i < 5; i++) {
      const run = desk(["enter", units.password, "--account", clerk.loginName], {
        ...wrong,
        input: `${KNOWN_CAPTCHA_ANSWER}\n`,
      });
      expect(await run.exitCode).toBe(1);
    }
    const locked = desk(["enter", units.password, "--account", clerk.loginName], wrong);
    expect(await locked.exitCode).toBe(1);
    expect(locked.output()).toContain(
      "申报密码输错超过 5 次（含），已被锁定，可以在 120 分钟之后再试，也可以由税务登记的法定代表人或者财务经理通过个人所得税 APP 和 WEB 渠道，或者前往办税大厅进行重置",
    );
    expect(locked.output()).toContain("请在 120 分钟后再试");
    expect(locked.output()).toContain(`taxauth-desk enter ${units.password} --forgot`);
  });

  it("a grantee enters directly; revoking the grant ends the session at once", async () => {
    const repToken = await loginToken(companion, rep);
    const grant = await api(companion, `/api/units/${units.password}/grants`, {
      token: repToken,
      body: {
        docType: clerk.docType,
        docNumber: clerk.docNumber,
        name: clerk.name,
        permission: "办税权限",
        termType: "长期",
        startDate: "2020-01-01",
      },
    });
    const run = desk(["enter", units.password, "--account", clerk.loginName], as(clerk));
    await run.waitFor(/验证方式：办税授权/);
    await api(companion, `/api/units/${units.password}/grants/${grant.body.id}/revoke`, { token: repToken, body: {} });
    expect(await run.exitCode).toBe(2);
    expect(run.output()).toContain("单位办税已结束：您对该单位的办税授权已解除或已过期");
  });

  it("the legal rep enters directly; revoking the client in the popup ends it too", async () => {
    const run = desk(["enter", units.password, "--account", rep.loginName], as(rep));
    await run.waitFor(/验证方式：法定代表人\/财务负责人/);
    const [{ id }] = (await api(companion, "/api/desktop/clients", { token: clerkToken })).body.items;
    await api(companion, `/api/desktop/clients/${id}/revoke`, { token: clerkToken, body: {} });
    expect(await run.exitCode).toBe(2);
    expect(run.output()).toContain("本客户端的配对已在浏览器扩展中被撤销");

    const again = desk(["units", "--account", rep.loginName], as(rep));
    expect(await again.exitCode).toBe(1);
    expect(again.output()).toContain("本客户端的配对已失效");
  });

  it("enters a 本市单位 by CA: signs the companion's challenge with the unit certificate's key", async () => {
    const pki = testPki();
    await companion.app.core.units.setLocal(units.password, true);
    await companion.app.core.ca.trust(pki.root.pem);
    const certificate = pki.unitCertificate(units.password);
    writeFileSync(join(configDir, "chain.pem"), certificate.pem + pki.intermediate.pem);
    writeFileSync(join(configDir, "unit.key"), certificate.keyPem, { mode: 0o600 });
    const args = ["enter", units.password.toLowerCase(), "--account", clerk.loginName];
    const run = desk(
      [...args, "--cert", join(configDir, "chain.pem"), "--key", join(configDir, "unit.key")],
      as(clerk),
    );
    await run.waitFor(/已进入单位：广东QJ4核定4（\w+），验证方式：CA证书/);
    await run.waitFor(/按 Ctrl-C 退出单位/);
    run.child.kill("SIGINT");
    expect(await run.exitCode).toBe(0);

    const stranger = pki.strangerUnitCertificate(units.password);
    writeFileSync(join(configDir, "stranger.pem"), stranger.unit.pem + stranger.stranger.pem);
    writeFileSync(join(configDir, "stranger.key"), stranger.unit.keyPem);
    const refused = desk(
      [...args, "--cert", join(configDir, "stranger.pem"), "--key", join(configDir, "stranger.key")],
      as(clerk),
    );
    expect(await refused.exitCode).toBe(1);
    expect(refused.output()).toContain("错误：证书不是由受信任的CA签发");
  });

  it("--forgot shows the 申报密码重置渠道: the notice, the web link and the app's QR code", async () => {
    const run = desk(["enter", units.password, "--forgot", "--account", clerk.loginName], as(clerk));
    expect(await run.exitCode, run.output()).toBe(0);
    const output = run.output();
    expect(output).toContain("温馨提示：申报密码遗失，可由税务登记的企业法定代表人或财务负责人");
    expect(output).toContain(`/manage.html#unit=${units.password}`);
    expect(output).toMatch(/扫码下载 个人所得税APP/);
    expect(output).toMatch(/[▀▄█]{5,}/);
  });

  it("without the companion, or unpaired, it says what to do", async () => {
    rmSync(join(configDir, "client.json"));
    const unpaired = desk(["enter", units.password]);
    expect(await unpaired.exitCode).toBe(1);
    expect(unpaired.output()).toContain("本客户端尚未配对：请先运行 taxauth-desk pair");

    const nowhere = desk(["pair"], { env: { TAXAUTH_URL: "ws://127.0.0.1:1/desktop" } });
    expect(await nowhere.exitCode).toBe(3);
    expect(nowhere.output()).toContain("无法连接本地服务");
  });
});
