import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import keytar from "keytar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSql } from "../../companion/db/database.js";
import type { Sql } from "../../companion/db/sql.js";
import { AppError } from "../../companion/errors.js";
import { osKeychain } from "../../companion/keychain/keychain.js";
import { INVITE_MAX_TRIES, INVITE_TTL_MS, officeService, sealedVault } from "../../companion/office/office.js";
import { officeStore } from "../../companion/office/office-store.js";
import {
  api,
  freshOfficeDatabase,
  manualClock,
  runCli,
  startCompanion,
  TEST_KEYCHAIN_SERVICE,
} from "../support/companion.js";
import { loginToken, newPerson, registerPerson } from "../support/people.js";
import { freshPostgresDatabase } from "../support/postgres.js";
import { postgresDump } from "../support/stored-bytes.js";
import { addUnit, setOfficer } from "../support/units.js";

// Each "machine" here is its own keychain service in the run's private keyring.
let seq = 0;
const machine = () => `taxauth-test-machine-${process.pid}-${++seq}`;
const dataDir = mkdtempSync(join(tmpdir(), "taxauth-office-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const cli = (databaseUrl: string, keychainService: string, ...args: string[]) =>
  runCli(["office", ...args], { dataDir, databaseUrl, keychainService });
const cliError = async (databaseUrl: string, keychainService: string, ...args: string[]): Promise<string> => {
  const failed = await cli(databaseUrl, keychainService, ...args).then(
    () => null,
    (error: { stderr: string }) => error.stderr,
  );
  if (failed === null) throw new Error(`taxauth office ${args.join(" ")} should have failed`);
  return failed;
};
const invite = async (databaseUrl: string, keychainService: string): Promise<{ code: string; expiresAt: number }> =>
  JSON.parse(await cli(databaseUrl, keychainService, "invite", "--json"));

describe("taxauth office: init, invite, join, members, remove", () => {
  let url: string;
  const first = machine();
  const second = machine();

  beforeAll(async () => {
    url = await freshPostgresDatabase();
  });

  it("a companion on a database without an office does not start, and says what to run", async () => {
    await expect(startCompanion({ databaseUrl: url })).rejects.toSatisfy(
      (error: unknown) => error instanceof AppError && error.code === "OFFICE_NOT_SET_UP",
    );
  });

  it("init on the first machine keeps a 256-bit key in its keychain; a second init is refused", async () => {
    const out = await cli(url, first, "init", "--name", "前台电脑");
    expect(out).toContain("已建立办公室");
    const keys = (await keytar.findCredentials(first)).filter((c) => c.account.startsWith("office-key:"));
    expect(keys).toHaveLength(1);
    expect(keys[0]?.password).toMatch(/^[0-9a-f]{64}$/);
    expect(await cliError(url, second, "init")).toContain("该数据库已建立办公室");
  });

  it("a machine that has not joined is refused by invite and members", async () => {
    expect(await cliError(url, second, "invite")).toContain("本机尚未加入办公室");
    expect(await cliError(url, second, "members")).toContain("本机尚未加入办公室");
  });

  it("invite prints a one-time code of 125 bits in five groups, valid 15 minutes", async () => {
    const before = Date.now();
    const { code, expiresAt } = await invite(url, first);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/);
    expect(expiresAt).toBeGreaterThanOrEqual(before + INVITE_TTL_MS);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + INVITE_TTL_MS);
    const text = await cli(url, first, "invite");
    expect(text).toMatch(/邀请码：[0-9A-Z-]{29}\n有效期至 .+（北京时间），只能使用一次。/);
  });

  it("join: a wrong code is refused; the right one, typed loosely, joins; used once it is refused", async () => {
    const { code } = await invite(url, first);
    expect(await cliError(url, second, "join", "--code", "00000-00000-00000-00000-00000")).toContain(
      "邀请码错误、已使用或已过期",
    );
    expect(await cliError(url, second, "join", "--code", "not a code")).toContain("邀请码错误");
    const typed = code.toLowerCase().replace(/-/g, " ");
    expect(await cli(url, second, "join", "--code", typed, "--name", "会计电脑")).toContain("已加入办公室");
    expect(await cliError(url, second, "join", "--code", code)).toContain("本机已是该办公室的成员");
    expect(await cliError(url, machine(), "join", "--code", code)).toContain("邀请码错误、已使用或已过期");
  });

  it(`an invitation is void after ${INVITE_MAX_TRIES} wrong codes, even for the right one`, async () => {
    const { code } = await invite(url, first);
    const guesser = machine();
    for (let i = 0; i < INVITE_MAX_TRIES; i++) {
      await cliError(url, guesser, "join", "--code", `${"1".repeat(24)}${i}`);
    }
    expect(await cliError(url, guesser, "join", "--code", code)).toContain("邀请码错误");
  });

  it("members lists both machines with last seen; remove ends one, which can then no longer start", async () => {
    const members = JSON.parse(await cli(url, first, "members", "--json")) as Array<{
      machineId: string;
      name: string;
      thisMachine: boolean;
      removedAt: number | null;
      lastSeenAt: number;
    }>;
    expect(members.map((m) => [m.name, m.thisMachine, m.removedAt])).toEqual([
      ["前台电脑", true, null],
      ["会计电脑", false, null],
    ]);
    expect(members.every((m) => m.lastSeenAt > 0)).toBe(true);
    expect(await cli(url, first, "members")).toMatch(/会计电脑\t.+\t成员\n/);

    expect(await cliError(url, first, "remove", "前台电脑")).toContain("不能移出本机");
    expect(await cliError(url, first, "remove", "没有这台")).toContain("没有这台成员电脑");
    expect(await cli(url, first, "remove", "会计电脑")).toContain("已将「会计电脑」");
    expect(await cliError(url, second, "invite")).toContain("本机已被移出办公室");
    expect(await cli(url, first, "members")).toMatch(/会计电脑\t.+\t已移出 /);
  });

  it("doctor checks the shared database and this machine's membership", async () => {
    const doctor = (keychainService: string) =>
      runCli(["doctor"], { dataDir, databaseUrl: url, keychainService, port: 1 }).then(
        (out) => out,
        (error: { stdout: string }) => error.stdout,
      );
    const member = await doctor(first);
    expect(member).toMatch(/✔ 数据库 \(PostgreSQL\): 127\.0\.0\.1:\d+\/\w+，PostgreSQL [\d.]+.*，迁移版本 \d+/);
    expect(member).toContain("✔ 办公室: 本机「前台电脑」是办公室");
    expect(member).not.toContain("postgres://");
    expect(await doctor(machine())).toContain("✘ 办公室: 本机尚未加入办公室");
    expect(await doctor(second)).toContain("✘ 办公室: 本机已被移出办公室");
  });

  it("without a shared database the office commands say what is needed", async () => {
    const failed = await runCli(["office", "members"], { dataDir, keychainService: first }).then(
      () => "",
      (error: { stderr: string }) => error.stderr,
    );
    expect(failed).toContain("TAXAUTH_DATABASE_URL");
  });
});

describe("an invitation's time", () => {
  it("a code joins within its 15 minutes and is refused after them", async () => {
    const url = await freshPostgresDatabase();
    const sql: Sql = await openSql({ dataDir: "", databaseUrl: url });
    const clock = manualClock(Date.now());
    const office = (keychainService: string) =>
      officeService({ store: officeStore(sql), keychain: osKeychain(keychainService), clock });
    try {
      const inviter = office(machine());
      await inviter.init("A");
      const early = await inviter.invite();
      const late = await inviter.invite();
      clock.advance(INVITE_TTL_MS - 1_000);
      await expect(office(machine()).join(early.code, "B")).resolves.toMatchObject({ machineId: expect.any(String) });
      clock.advance(2_000);
      await expect(office(machine()).join(late.code, "C")).rejects.toMatchObject({ code: "OFFICE_JOIN_CODE_INVALID" });
    } finally {
      await sql.close();
    }
  });
});

describe("what the database holds in an office", () => {
  it("a dump has no pepper, office key, join code, 申报密码 or its hash in clear", async () => {
    const url = await freshOfficeDatabase();
    const companion = await startCompanion({ databaseUrl: url });
    try {
      const core = companion.app.core;
      const { tin } = await addUnit(companion, { name: "办公室测试单位" });
      const rep = newPerson();
      await registerPerson(companion, rep);
      await setOfficer(companion, { tin, role: "法定代表人", person: rep });
      await core.declarationPasswords.set(tin, "Office2026pw");
      const { code } = await core.office!.invite();
      expect((await api(companion, "/api/my/grants", { token: await loginToken(companion, rep) })).status).toBe(200);

      const membership = core.membership!;
      const vault = sealedVault(officeStore(core.sql), membership, core.clock);
      const pepper = await vault.get("pepper");
      const hash = await vault.get(`declaration:${tin}`);
      expect(pepper).toMatch(/^[0-9a-f]{64}$/);
      expect(hash).toMatch(/^\$argon2id\$/);

      const dump = await postgresDump(url);
      expect(dump.includes(Buffer.from(tin))).toBe(true); // the dump really holds the data
      for (const secret of [
        pepper!,
        hash!,
        membership.key.toString("hex"),
        code,
        code.replace(/-/g, ""),
        "Office2026pw",
      ]) {
        expect(dump.includes(Buffer.from(secret))).toBe(false);
      }
      expect(dump.includes(membership.key)).toBe(false);
    } finally {
      await companion.close();
    }
  });

  it("a sealed secret copied under another name does not open", async () => {
    const url = await freshOfficeDatabase();
    const sql = await openSql({ dataDir: "", databaseUrl: url });
    try {
      const store = officeStore(sql);
      const office = officeService({ store, keychain: osKeychain(TEST_KEYCHAIN_SERVICE), clock: { now: Date.now } });
      const vault = sealedVault(store, await office.membership(), { now: Date.now });
      await vault.set("declaration:A", "hash of A");
      await store.putSealedSecret("declaration:B", (await store.sealedSecret("declaration:A"))!, Date.now());
      expect(await vault.get("declaration:A")).toBe("hash of A");
      await expect(vault.get("declaration:B")).rejects.toMatchObject({ code: "OFFICE_KEY_MISMATCH" });
    } finally {
      await sql.close();
    }
  });
});
