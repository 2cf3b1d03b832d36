import { sign } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { caSignedData } from "../../companion/ca/ca-entry.js";
import { DAY } from "../../companion/clock.js";
import type { DesktopClient } from "../../shared/desktop/client.js";
import { DesktopError } from "../../shared/desktop/client.js";
import { type TestCertificate, testPki } from "../support/ca.js";
import { manualClock, type RunningCompanion, runCli, startCompanion, storeOf } from "../support/companion.js";
import { pairDesktopClient } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit } from "../support/units.js";

const pki = testPki();
let clock: ReturnType<typeof manualClock>;
let companion: RunningCompanion;
let tin: string;
let clerk: TestPerson;
let desk: DesktopClient;

beforeEach(async () => {
  // A little ahead of the wall clock: the certificates below are issued "now" by openssl.
  clock = manualClock(Date.now() + 5 * 60_000);
  companion = await startCompanion({ clock });
  tin = (await addUnit(companion, { name: "广东QJ4核定4" })).tin;
  // As the hall does it: the CLI's flag is what unit entry by CA checks.
  expect(await runCli(["hall", "unit", "set", tin, "--local"], storeOf(companion))).toContain("本市单位: 是");
  const rootFile = join(companion.dataDir, "root.pem");
  writeFileSync(rootFile, pki.root.pem);
  expect(await runCli(["hall", "ca", "trust", rootFile], storeOf(companion))).toContain("已信任");
  clerk = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  ({ client: desk } = await pairDesktopClient(companion, await loginToken(companion, clerk)));
  await desk.request("login", { account: clerk.loginName, password: clerk.password });
});
afterEach(async () => {
  desk.close();
  await companion.close();
});

async function enterWith(
  certificate: TestCertificate,
  chain: string,
  options: { tin?: string; tamper?: boolean } = {},
) {
  const unit = options.tin ?? tin;
  const { challenge } = await desk.request("unit.challenge", { tin: unit });
  const signature = sign(
    "sha256",
    caSignedData(unit, options.tamper ? `${challenge}x` : challenge),
    certificate.keyPem,
  ).toString("base64");
  return desk.request("unit.enter.ca", { tin: unit, challenge, certificates: chain, signature }).then(
    (result) => result.via,
    (error: unknown) => (error instanceof DesktopError ? error.body.message : String(error)),
  );
}

describe("CA entry for 本市单位", () => {
  it("enters with a trusted chain naming the unit and a signature of a fresh challenge", async () => {
    const unitCert = pki.unitCertificate(tin);
    expect(await enterWith(unitCert, unitCert.pem + pki.intermediate.pem)).toBe("ca");
  });

  it("refuses a broken chain, a stranger's root, another unit's certificate, a bad signature", async () => {
    const unitCert = pki.unitCertificate(tin);
    expect(await enterWith(unitCert, unitCert.pem)).toBe("证书不是由受信任的CA签发");
    const { unit: strangerCert, stranger } = pki.strangerUnitCertificate(tin);
    expect(await enterWith(strangerCert, strangerCert.pem + stranger.pem)).toBe("证书不是由受信任的CA签发");
    const otherUnit = pki.unitCertificate("91440101MA00000018");
    expect(await enterWith(otherUnit, otherUnit.pem + pki.intermediate.pem)).toBe("证书不属于该纳税人识别号的单位");
    expect(await enterWith(unitCert, unitCert.pem + pki.intermediate.pem, { tamper: true })).toBe("签名校验失败");
    expect(await enterWith(unitCert, "not a certificate")).toBe("请提供单位证书");
  });

  it("refuses an expired certificate, and a challenge used twice", async () => {
    const unitCert = pki.unitCertificate(tin);
    const chain = unitCert.pem + pki.intermediate.pem;
    const { challenge } = await desk.request("unit.challenge", { tin });
    const signature = sign("sha256", caSignedData(tin, challenge), unitCert.keyPem).toString("base64");
    expect((await desk.request("unit.enter.ca", { tin, challenge, certificates: chain, signature })).via).toBe("ca");
    const replay = await desk
      .request("unit.enter.ca", { tin, challenge, certificates: chain, signature })
      .catch((e: DesktopError) => e.code);
    expect(replay).toBe("CA_CHALLENGE_EXPIRED");
    // The certificate runs out: the unit session ends by itself, and the certificate no longer enters.
    const ended = desk.nextEvent("unit.ended");
    clock.advance(31 * DAY);
    expect(await ended).toEqual({ event: "unit.ended", tin, reason: "CA证书已过期，请重新校验" });
    await desk.request("login", { account: clerk.loginName, password: clerk.password });
    expect(await enterWith(unitCert, chain)).toBe("证书不在有效期内");
  });

  it("is only for units marked local: unit add --local, unit set --no-local, the import's 本市单位 column", async () => {
    const challenge = (unit: string) =>
      desk.request("unit.challenge", { tin: unit }).then(
        () => "allowed",
        (e: DesktopError) => e.code,
      );
    const cli = (...args: string[]) => runCli(args, storeOf(companion));
    const other = (await addUnit(companion, { name: "外地单位" })).tin;
    expect(await challenge(other)).toBe("CA_NOT_ALLOWED");

    const added = (await addUnit(companion)).tin;
    expect(await cli("hall", "unit", "add", "--tin", added, "--name", "本市新单位", "--local")).toContain(
      "（本市单位）",
    );
    expect(await challenge(added)).toBe("allowed");
    // Updating the unit's details without either flag keeps the mark.
    await cli("hall", "unit", "add", "--tin", added, "--name", "本市新单位（更名）");
    expect(await challenge(added)).toBe("allowed");

    await cli("hall", "unit", "set", tin, "--no-local");
    expect(await challenge(tin)).toBe("CA_NOT_ALLOWED");

    const file = join(companion.dataDir, "units.csv");
    writeFileSync(
      file,
      `纳税人识别号,纳税人名称,部门,分部门申报,综合所得申报,经营所得,本市单位\n${other},外地单位,,,,,是\n${added},本市新单位,,,,,否\n${tin},广东QJ4核定4,,,,,\n`,
    );
    expect(await cli("hall", "unit", "import", file)).toBe("已导入 3 个单位\n");
    expect([await challenge(other), await challenge(added), await challenge(tin)]).toEqual([
      "allowed",
      "CA_NOT_ALLOWED",
      "CA_NOT_ALLOWED",
    ]);
  });
});
