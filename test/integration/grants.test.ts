import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { DAY } from "../../companion/clock.js";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { api, manualClock, type RunningCompanion, startCompanion } from "../support/companion.js";
import { connectEvents, eventually } from "../support/event-socket.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

let clock: ReturnType<typeof manualClock>;
let companion: RunningCompanion;
let tin: string;
let legalRep: TestPerson;
let clerk: TestPerson;
let repToken: string;
let clerkToken: string;

beforeEach(async () => {
  clock = manualClock(Date.parse("2026-11-28T02:00:00Z")); // 2026-11-28 10:00 in Shanghai
  companion = await startCompanion({ clock });
  tin = (await addUnit(companion, { name: "广东QJ4核定4" })).tin;
  legalRep = await registerPerson(companion, newPerson({ name: "王法人" }));
  clerk = await registerPerson(companion, newPerson({ name: "李办税" }));
  await setOfficer(companion, { tin, role: "法定代表人", person: legalRep });
  repToken = await loginToken(companion, legalRep);
  clerkToken = await loginToken(companion, clerk);
});
afterEach(() => companion.close());

const grantBody = (person: TestPerson, extra: Record<string, unknown> = {}) => ({
  docType: person.docType,
  docNumber: person.docNumber,
  name: person.name,
  permission: "办税权限",
  termType: "长期",
  startDate: "2026-11-28",
  ...extra,
});

const addGrant = (token: string, person: TestPerson, extra: Record<string, unknown> = {}, unit = tin) =>
  api(companion, `/api/units/${unit}/grants`, { token, body: grantBody(person, extra) });

describe("企业办税权限 for the legal rep", () => {
  it("lists the units where the person is legal rep now, searchable by name or 纳税人识别号", async () => {
    const res = await api(companion, "/api/units/managed", { token: repToken });
    expect(res.body.items).toEqual([
      { tin, name: "广东QJ4核定4", roles: ["法定代表人"], grantCount: 0, reviewCount: 0 },
    ]);
    expect((await api(companion, "/api/units/managed?q=QJ4", { token: repToken })).body.items).toHaveLength(1);
    expect(
      (await api(companion, `/api/units/managed?q=${tin.slice(4, 12)}`, { token: repToken })).body.items,
    ).toHaveLength(1);
    expect((await api(companion, "/api/units/managed?q=没有", { token: repToken })).body.items).toHaveLength(0);
    expect((await api(companion, "/api/units/managed", { token: clerkToken })).body.items).toEqual([]);
  });

  it("adds, changes and revokes a grant; the grantee sees each status", async () => {
    const added = await addGrant(repToken, clerk);
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({
      permission: "办税权限",
      termType: "长期",
      status: "有效",
      // The unit's managers see the full names of its people; the document number stays masked.
      grantee: { name: "李办税", docType: "居民身份证", maskedDocNumber: expect.stringMatching(/^\d{3}\*{5}\w{3}$/) },
      grantedBy: { name: "王法人", role: "法定代表人" },
      needsReview: false,
    });
    const mine = await api(companion, "/api/my/grants", { token: clerkToken });
    expect(mine.body.items).toMatchObject([{ id: added.body.id, unit: { tin, name: "广东QJ4核定4" }, status: "有效" }]);

    const changed = await api(companion, `/api/units/${tin}/grants/${added.body.id}/change`, {
      token: repToken,
      body: { permission: "管理权限", termType: "定期", startDate: "2026-12-01", endDate: "2026-12-31" },
    });
    expect(changed.body).toMatchObject({ permission: "管理权限", status: "未生效", endDate: "2026-12-31" });

    const revoked = await api(companion, `/api/units/${tin}/grants/${added.body.id}/revoke`, {
      token: repToken,
      body: {},
    });
    expect(revoked.body.status).toBe("已解除(单位)");
    const again = await api(companion, `/api/units/${tin}/grants/${added.body.id}/revoke`, {
      token: repToken,
      body: {},
    });
    expect(again.body.code).toBe("GRANT_ENDED");
    expect((await api(companion, "/api/my/grants", { token: clerkToken })).body.items[0].status).toBe("已解除(单位)");
  });

  it("counts live grants only for 已授权（n）: revoked and expired ones stay listed but are not counted", async () => {
    const other = await registerPerson(companion, newPerson({ name: "赵办税" }));
    const third = await registerPerson(companion, newPerson({ name: "钱办税" }));
    const kept = await addGrant(repToken, clerk);
    const revoked = await addGrant(repToken, other);
    await addGrant(repToken, third, { termType: "定期", startDate: "2026-11-28", endDate: "2026-11-28" });
    await api(companion, `/api/units/${tin}/grants/${revoked.body.id}/revoke`, { token: repToken, body: {} });
    clock.advance(DAY); // 2026-11-29: the third grant has expired
    const token = await loginToken(companion, legalRep);
    const detail = await api(companion, `/api/units/${tin}`, { token });
    expect(detail.body).toMatchObject({ liveGrantCount: 1 });
    expect((await api(companion, "/api/units/managed", { token })).body.items[0].grantCount).toBe(1);
    const listed = await api(companion, `/api/units/${tin}/grants`, { token });
    expect(listed.body.total).toBe(3);
    expect(listed.body.items.find((g: { id: string }) => g.id === kept.body.id).status).toBe("有效");
  });

  it("computes 未生效, 有效 and 已过期 from the Shanghai date at decision time", async () => {
    const grant = await addGrant(repToken, clerk, { termType: "定期", startDate: "2026-11-29", endDate: "2026-11-30" });
    // A fresh login each time: the clock jumps past the session's idle timeout.
    const status = async () =>
      (await api(companion, "/api/my/grants", { token: await loginToken(companion, clerk) })).body.items[0].status;
    expect(grant.body.status).toBe("未生效");
    clock.advance(14 * 3_600_000 - 1); // 2026-11-28 23:59:59.999 in Shanghai
    expect(await status()).toBe("未生效");
    clock.advance(1);
    expect(await status()).toBe("有效");
    clock.advance(2 * DAY);
    expect(await status()).toBe("已过期");
  });

  it("refuses a grantee who is not registered, a mismatched name, a second live grant, a self-grant", async () => {
    const stranger = newPerson({ name: "赵未注册" });
    expect((await addGrant(repToken, stranger)).body.code).toBe("GRANTEE_NOT_REGISTERED");
    expect((await addGrant(repToken, { ...clerk, name: "李别人" })).body.code).toBe("GRANTEE_NOT_REGISTERED");
    expect((await addGrant(repToken, clerk)).status).toBe(200);
    expect((await addGrant(repToken, clerk)).body.code).toBe("GRANT_EXISTS");
    expect((await addGrant(repToken, legalRep)).body.code).toBe("SELF_GRANT");
  });

  it("validates the term with the shared rules", async () => {
    const noEnd = await addGrant(repToken, clerk, { termType: "定期" });
    expect(noEnd.body.fields).toEqual({ endDate: "定期授权需要填写授权期限止" });
    const backwards = await addGrant(repToken, clerk, { termType: "定期", endDate: "2026-11-01" });
    expect(backwards.body.fields).toEqual({ endDate: "授权期限止不能早于授权期限起" });
    const badDate = await addGrant(repToken, clerk, { startDate: "2026-02-30" });
    expect(badDate.body.fields.startDate).toBe("日期无效");
    expect((await addGrant(repToken, clerk, {}, "NOT-A-TIN")).body.code).toBe("VALIDATION_FAILED");
  });

  it("lets only managers of the unit manage its grants", async () => {
    const other = await addUnit(companion, { name: "广东QJ1查账" });
    expect((await addGrant(repToken, clerk, {}, other.tin)).body.code).toBe("NOT_UNIT_MANAGER");
    expect((await api(companion, `/api/units/${other.tin}`, { token: repToken })).body.code).toBe("NOT_UNIT_MANAGER");
    const grant = await addGrant(repToken, clerk);
    // The clerk (办税权限) cannot manage, nor revoke through the manager route.
    expect(
      (await api(companion, `/api/units/${tin}/grants/${grant.body.id}/revoke`, { token: clerkToken, body: {} })).body
        .code,
    ).toBe("NOT_UNIT_MANAGER");
    expect((await api(companion, "/api/units/managed", { token: "bogus" })).status).toBe(401);
  });

  it("follows the office: a former legal rep loses the unit, a finance manager gains it", async () => {
    const finance = await registerPerson(companion, newPerson({ name: "钱财务" }));
    await setOfficer(companion, { tin, role: "财务负责人", person: finance, startDate: "2026-11-28" });
    const financeToken = await loginToken(companion, finance);
    expect((await addGrant(financeToken, clerk)).body.grantedBy.role).toBe("财务负责人");
    const successor = newPerson({ name: "孙新法人" });
    await setOfficer(companion, { tin, role: "法定代表人", person: successor, startDate: "2026-11-28" });
    expect((await api(companion, `/api/units/${tin}`, { token: repToken })).body.code).toBe("NOT_UNIT_MANAGER");
  });
});

describe("管理权限 holders", () => {
  let manager: TestPerson;
  let managerToken: string;
  let managerGrantId: string;

  beforeEach(async () => {
    manager = await registerPerson(companion, newPerson({ name: "周管理" }));
    const grant = await addGrant(repToken, manager, {
      permission: "管理权限",
      termType: "定期",
      endDate: "2026-12-31",
    });
    managerGrantId = grant.body.id;
    managerToken = await loginToken(companion, manager);
  });

  it("manage the unit within their own term, but never their own grant", async () => {
    const detail = await api(companion, `/api/units/${tin}`, { token: managerToken });
    expect(detail.body).toMatchObject({
      roles: ["管理权限"],
      grantLimit: { endDate: "2026-12-31" },
      ownGrantId: managerGrantId,
    });
    expect((await addGrant(managerToken, clerk)).body.code).toBe("BEYOND_OWN_TERM");
    expect((await addGrant(managerToken, clerk, { termType: "定期", endDate: "2027-01-01" })).body.code).toBe(
      "BEYOND_OWN_TERM",
    );
    const ok = await addGrant(managerToken, clerk, { termType: "定期", endDate: "2026-12-31" });
    expect(ok.body.grantedBy.role).toBe("管理权限");
    const own = `/api/units/${tin}/grants/${managerGrantId}`;
    expect((await api(companion, `${own}/revoke`, { token: managerToken, body: {} })).body.code).toBe("OWN_GRANT");
    expect(
      (
        await api(companion, `${own}/change`, {
          token: managerToken,
          body: { permission: "管理权限", termType: "长期", startDate: "2026-11-28" },
        })
      ).body.code,
    ).toBe("OWN_GRANT");
  });

  it("leave the grants they made marked 需复核 when their 管理权限 ends, until a manager reviews them", async () => {
    const made = await addGrant(managerToken, clerk, { termType: "定期", endDate: "2026-12-31" });
    await api(companion, `/api/units/${tin}/grants/${managerGrantId}/revoke`, { token: repToken, body: {} });
    const detail = await api(companion, `/api/units/${tin}/grants`, { token: repToken });
    const row = detail.body.items.find((g: { id: string }) => g.id === made.body.id);
    expect(row).toMatchObject({ status: "有效", needsReview: true });
    expect((await api(companion, "/api/units/managed", { token: repToken })).body.items[0].reviewCount).toBe(1);
    // Their 管理权限 ended: they manage nothing now.
    expect((await api(companion, `/api/units/${tin}`, { token: managerToken })).body.code).toBe("NOT_UNIT_MANAGER");

    const reviewed = await api(companion, `/api/units/${tin}/grants/${made.body.id}/review`, {
      token: repToken,
      body: {},
    });
    expect(reviewed.body.needsReview).toBe(false);
    expect(
      (await api(companion, `/api/units/${tin}/grants/${made.body.id}/review`, { token: repToken, body: {} })).body
        .code,
    ).toBe("NOTHING_TO_REVIEW");
  });
});

describe("我的办税权限 for the grantee", () => {
  it("renounces, then deletes; the history keeps every step", async () => {
    const grant = await addGrant(repToken, clerk, { termType: "定期", endDate: "2026-12-03" });
    let mine = (await api(companion, "/api/my/grants", { token: clerkToken })).body;
    expect(mine.endingSoon).toBe(1);
    expect(
      (await api(companion, `/api/my/grants/${grant.body.id}/delete`, { token: clerkToken, body: {} })).body.code,
    ).toBe("GRANT_STILL_ACTIVE");
    expect(
      (await api(companion, `/api/my/grants/${grant.body.id}/renounce`, { token: repToken, body: {} })).body.code,
    ).toBe("GRANT_NOT_FOUND");
    expect(
      (await api(companion, `/api/my/grants/${grant.body.id}/renounce`, { token: clerkToken, body: {} })).status,
    ).toBe(204);
    mine = (await api(companion, "/api/my/grants", { token: clerkToken })).body;
    expect(mine.items[0].status).toBe("已解除(本人)");
    expect(mine.endingSoon).toBe(0);
    expect(
      (await api(companion, `/api/my/grants/${grant.body.id}/delete`, { token: clerkToken, body: {} })).status,
    ).toBe(204);
    expect((await api(companion, "/api/my/grants", { token: clerkToken })).body.items).toEqual([]);

    const repView = await api(companion, `/api/units/${tin}/grants`, { token: repToken });
    expect(repView.body.items[0].status).toBe("已解除(本人)");
    // Newest first.
    const history = await api(companion, `/api/units/${tin}/history`, { token: repToken });
    expect(history.body.items.map((e: { action: string }) => e.action)).toEqual(["本人删除", "本人解除", "新增授权"]);
    expect(history.body.items[2]).toMatchObject({
      actor: { name: "王法人", role: "法定代表人" },
      grantee: "李办税",
      before: null,
    });
    expect(history.body.items[1].after).toMatchObject({ endedBy: "self" });
  });

  it("exports the unit's grants as CSV: a line naming the unit and the time, then the table; a Chinese file name", async () => {
    await addGrant(repToken, clerk);
    const res = await fetch(`${companion.url}/api/units/${tin}/grants.csv`, {
      headers: { origin: EXTENSION_ORIGIN, authorization: `Bearer ${repToken}` },
    });
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="grants-${tin}.csv"; filename*=UTF-8''${encodeURIComponent("企业办税权限_广东QJ4核定4_2026-11-28.csv")}`,
    );
    const lines = (await res.text())
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toMatch(new RegExp(`^企业办税权限,广东QJ4核定4,${tin},导出时间 2026-11-28 \\d\\d:\\d\\d$`));
    expect(lines[1]).toBe("被授权人,证件类型,证件号码,权限类型,授权期限类型,授权期限起,授权期限止,状态,授权人,需复核");
    expect(lines[2]).toMatch(
      /^李办税,居民身份证,\d{3}\*{5}\w{3},办税权限,长期,2026-11-28,,有效,王法人（法定代表人）,$/,
    );
  });

  it("shows a manager the grantee's whole 证件号码 when asked, and nobody else", async () => {
    const grantee = await registerPerson(companion, newPerson({ name: "郑证件" }));
    const grant = await addGrant(repToken, grantee);
    const path = `/api/units/${tin}/grants/${grant.body.id}/document`;
    const shown = await api(companion, path, { token: repToken });
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual({ docNumber: grantee.docNumber });
    // The grantee is no manager of the unit; another unit's path does not reach this grant.
    const granteeToken = await loginToken(companion, grantee);
    expect((await api(companion, path, { token: granteeToken })).body.code).toBe("NOT_UNIT_MANAGER");
    const other = await addUnit(companion, { name: "广东QJ9其他" });
    await setOfficer(companion, { tin: other.tin, role: "法定代表人", person: legalRep });
    const elsewhere = await api(companion, `/api/units/${other.tin}/grants/${grant.body.id}/document`, {
      token: repToken,
    });
    expect(elsewhere.body.code).toBe("GRANT_NOT_FOUND");
  });
});

describe("push over /api/events", () => {
  const connect = (token: string, origin?: string) => connectEvents(companion, token, origin);
  const until = eventually;

  it("tells the grantee and the managers, and nobody else", async () => {
    const outsider = await registerPerson(companion, newPerson({ name: "吴无关" }));
    const clerkSocket = connect(clerkToken);
    const repSocket = connect(repToken);
    const outsiderSocket = connect(await loginToken(companion, outsider));
    await Promise.all([clerkSocket.ready, repSocket.ready, outsiderSocket.ready]);
    const grant = await addGrant(repToken, clerk);
    await until(() => clerkSocket.events.length > 1 && repSocket.events.length > 1);
    expect(clerkSocket.events).toEqual([
      { type: "ready" },
      {
        type: "grant-changed",
        unitTin: tin,
        unitName: "广东QJ4核定4",
        grantId: grant.body.id,
        change: "added",
        forGrantee: true,
      },
    ]);
    expect(repSocket.events[1]).toMatchObject({ change: "added", forGrantee: false });
    await api(companion, `/api/my/grants/${grant.body.id}/renounce`, { token: clerkToken, body: {} });
    await until(() => repSocket.events.length > 2);
    expect(repSocket.events[2]).toMatchObject({ change: "renounced" });
    expect(outsiderSocket.events).toEqual([{ type: "ready" }]);
    for (const s of [clerkSocket, repSocket, outsiderSocket]) s.socket.close();
  });

  it("refuses a foreign origin at the upgrade, and a bad token after it", async () => {
    await expect(connect(clerkToken, "https://evil.example").ready).rejects.toThrow("HTTP 403");
    const bad = connect("not-a-token");
    await bad.ready;
    expect(bad.events[0]).toMatchObject({ type: "error", code: "UNAUTHENTICATED" });
    await until(() => bad.socket.readyState === WebSocket.CLOSED);
    expect(bad.socket.readyState).toBe(WebSocket.CLOSED);
  });
});
