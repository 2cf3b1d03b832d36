import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY } from "../../companion/clock.js";
import { api, manualClock, type RunningCompanion, startCompanion } from "../support/companion.js";
import { desktopLoggedIn, pairDesktopClient } from "../support/desktop.js";
import { connectEvents, eventually } from "../support/event-socket.js";
import { grantOverApi } from "../support/grants.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, newTin, setOfficer } from "../support/units.js";

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
  tin = (await addUnit(companion, { name: "广东申请单位" })).tin;
  legalRep = await registerPerson(companion, newPerson({ name: "王法人" }));
  clerk = await registerPerson(companion, newPerson({ name: "李办税" }));
  await setOfficer(companion, { tin, role: "法定代表人", person: legalRep });
  repToken = await loginToken(companion, legalRep);
  clerkToken = await loginToken(companion, clerk);
});
afterEach(() => companion.close());

const ask = (token: string, extra: Record<string, unknown> = {}) =>
  api(companion, "/api/my/grant-requests", {
    token,
    body: { tin, permission: "办税权限", termType: "长期", startDate: "2026-11-28", note: "负责本单位申报", ...extra },
  });
const pendingOf = (token: string, unit = tin) => api(companion, `/api/units/${unit}/grant-requests`, { token });
const approve = (token: string, id: string, term: Record<string, unknown> = {}, unit = tin) =>
  api(companion, `/api/units/${unit}/grant-requests/${id}/approve`, {
    token,
    body: { permission: "办税权限", termType: "长期", startDate: "2026-11-28", ...term },
  });
const decline = (token: string, id: string, reason: string) =>
  api(companion, `/api/units/${tin}/grant-requests/${id}/decline`, { token, body: { reason } });
const withdraw = (token: string, id: string) =>
  api(companion, `/api/my/grant-requests/${id}/withdraw`, { token, body: {} });
const mine = async (token: string) => (await api(companion, "/api/my/grant-requests", { token })).body;

describe("申请授权", () => {
  it("a person asks, the legal rep sees it pending and approves with an edited term: the grant is made", async () => {
    const asked = await ask(clerkToken);
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({
      unit: { tin, name: "广东申请单位" },
      requester: { name: "李办税", maskedDocNumber: expect.stringMatching(/\*{5}/) },
      permission: "办税权限",
      termType: "长期",
      note: "负责本单位申报",
      state: "待审批",
      reason: null,
      expiresAt: new Date(clock.now() + 7 * DAY).toISOString(),
    });
    const pending = await pendingOf(repToken);
    expect(pending.body).toMatchObject({ total: 1, nextCursor: null, items: [{ id: asked.body.id, state: "待审批" }] });

    const approved = await approve(repToken, asked.body.id, {
      termType: "定期",
      startDate: "2026-12-01",
      endDate: "2026-12-31",
    });
    expect(approved.body).toMatchObject({ state: "已批准", termType: "定期", endDate: "2026-12-31" });
    const grants = (await api(companion, "/api/my/grants", { token: clerkToken })).body.items;
    expect(grants).toMatchObject([{ unit: { tin }, permission: "办税权限", endDate: "2026-12-31", status: "未生效" }]);
    expect((await pendingOf(repToken)).body.total).toBe(0);
    expect((await mine(clerkToken)).items).toMatchObject([{ id: asked.body.id, state: "已批准" }]);
    expect((await approve(repToken, asked.body.id)).body.code).toBe("GRANT_REQUEST_DECIDED");

    // Every step is in the unit's history, under the requester's name.
    const history = (await api(companion, `/api/units/${tin}/history`, { token: repToken })).body.items;
    expect(history.map((entry: { action: string }) => entry.action)).toEqual(["批准申请", "新增授权", "申请授权"]);
    expect(history[2]).toMatchObject({ actor: { name: "李办税", role: "申请人" }, grantee: "李办税" });
    expect(history[0]).toMatchObject({ actor: { role: "法定代表人" }, grantee: "李办税" });
    const byGrantee = await api(companion, `/api/units/${tin}/history?grantee=${encodeURIComponent("李办税")}`, {
      token: repToken,
    });
    expect(byGrantee.body.items.map((entry: { action: string }) => entry.action)).toEqual([
      "批准申请",
      "新增授权",
      "申请授权",
    ]);
  });

  it("keeps one pending request per person and unit; withdrawing frees it", async () => {
    const first = await ask(clerkToken);
    const second = await ask(clerkToken, { permission: "管理权限" });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe("GRANT_REQUEST_PENDING");
    expect((await withdraw(clerkToken, first.body.id)).body.state).toBe("已撤回");
    expect((await withdraw(clerkToken, first.body.id)).body.code).toBe("GRANT_REQUEST_DECIDED");
    clock.advance(1_000); // newest first: the lists order by time
    expect((await ask(clerkToken)).status).toBe(200);
    const states = (await mine(clerkToken)).items.map((r: { state: string }) => r.state);
    expect(states).toEqual(["待审批", "已撤回"]);
    const history = (await api(companion, `/api/units/${tin}/history`, { token: repToken })).body.items;
    expect(history.map((entry: { action: string }) => entry.action)).toEqual(["申请授权", "撤回申请", "申请授权"]);
  });

  it("only the requester withdraws; only the unit's managers list, approve and decline", async () => {
    const asked = await ask(clerkToken);
    const outsider = await registerPerson(companion, newPerson({ name: "吴无关" }));
    const outsiderToken = await loginToken(companion, outsider);
    expect((await withdraw(outsiderToken, asked.body.id)).body.code).toBe("GRANT_REQUEST_NOT_FOUND");
    expect((await pendingOf(outsiderToken)).body.code).toBe("NOT_UNIT_MANAGER");
    expect((await approve(outsiderToken, asked.body.id)).body.code).toBe("NOT_UNIT_MANAGER");
    expect((await decline(outsiderToken, asked.body.id, "不认识")).body.code).toBe("NOT_UNIT_MANAGER");
    // A manager of another unit cannot reach this unit's request through their own.
    const other = await addUnit(companion, { name: "广东其他单位" });
    await setOfficer(companion, { tin: other.tin, role: "法定代表人", person: outsider });
    expect((await approve(outsiderToken, asked.body.id, {}, other.tin)).body.code).toBe("GRANT_REQUEST_NOT_FOUND");
    expect((await mine(clerkToken)).items[0].state).toBe("待审批");
  });

  it("declines only with a reason of at most 200 characters, which the requester sees", async () => {
    const asked = await ask(clerkToken);
    const empty = await decline(repToken, asked.body.id, "  ");
    expect(empty.body).toMatchObject({ code: "VALIDATION_FAILED", fields: { reason: "请填写拒绝理由" } });
    expect((await decline(repToken, asked.body.id, "长".repeat(201))).body.code).toBe("VALIDATION_FAILED");
    const declined = await decline(repToken, asked.body.id, "本单位不需要");
    expect(declined.body).toMatchObject({ state: "已拒绝", reason: "本单位不需要" });
    expect((await mine(clerkToken)).items[0]).toMatchObject({ state: "已拒绝", reason: "本单位不需要" });
    expect((await approve(repToken, asked.body.id)).body.code).toBe("GRANT_REQUEST_DECIDED");
    const history = (await api(companion, `/api/units/${tin}/history`, { token: repToken })).body.items;
    expect(history[0]).toMatchObject({ action: "拒绝申请", after: { reason: "本单位不需要" } });
  });

  it("checks the note, the term and the unit", async () => {
    expect((await ask(clerkToken, { note: "备".repeat(201) })).body.fields).toEqual({ note: "备注不能超过200个字符" });
    expect((await ask(clerkToken, { termType: "定期" })).body.fields).toEqual({
      endDate: "定期授权需要填写授权期限止",
    });
    expect((await ask(clerkToken, { tin: newTin() })).body.code).toBe("UNIT_NOT_FOUND");
    expect((await ask(clerkToken, { note: undefined })).body).toMatchObject({ state: "待审批", note: "" });
  });

  it("expires a request after 7 days: no longer pending, not approvable, and the person may ask again", async () => {
    const asked = await ask(clerkToken);
    clock.advance(7 * DAY - 1);
    expect((await pendingOf(await loginToken(companion, legalRep))).body.total).toBe(1);
    clock.advance(1);
    const rep = await loginToken(companion, legalRep);
    const token = await loginToken(companion, clerk);
    expect((await pendingOf(rep)).body.total).toBe(0);
    expect((await mine(token)).items[0].state).toBe("已过期");
    expect((await approve(rep, asked.body.id)).body.code).toBe("GRANT_REQUEST_EXPIRED");
    expect((await withdraw(token, asked.body.id)).body.code).toBe("GRANT_REQUEST_EXPIRED");
    expect((await ask(token)).body.state).toBe("待审批");
    expect((await mine(token)).items.map((r: { state: string }) => r.state)).toEqual(["待审批", "已过期"]);
  });

  it("refuses asking for what the person already holds; 管理权限 asked by a 办税权限 holder raises their grant", async () => {
    await grantOverApi(companion, repToken, tin, clerk, { startDate: "2026-11-28" });
    expect((await ask(clerkToken)).body.code).toBe("GRANT_REQUEST_HELD");
    const raise = await ask(clerkToken, { permission: "管理权限" });
    expect(raise.body.state).toBe("待审批");
    expect((await approve(repToken, raise.body.id, { permission: "管理权限" })).body.state).toBe("已批准");
    const grants = (await api(companion, "/api/my/grants", { token: clerkToken })).body.items;
    expect(grants).toMatchObject([{ permission: "管理权限", status: "有效" }]);
    expect((await ask(clerkToken)).body.code).toBe("GRANT_REQUEST_HELD");
    expect((await ask(clerkToken, { permission: "管理权限" })).body.code).toBe("GRANT_REQUEST_HELD");
  });

  it("approves within the approver's own limits: a 管理权限 holder not beyond their end date, nobody for themselves", async () => {
    const holder = await registerPerson(companion, newPerson({ name: "赵管理" }));
    await grantOverApi(companion, repToken, tin, holder, {
      permission: "管理权限",
      termType: "定期",
      startDate: "2026-11-28",
      endDate: "2026-12-31",
    });
    const holderToken = await loginToken(companion, holder);
    const asked = await ask(clerkToken);
    expect((await pendingOf(holderToken)).body.total).toBe(1);
    const beyond = await approve(holderToken, asked.body.id);
    expect(beyond.body.code).toBe("BEYOND_OWN_TERM");
    expect((await mine(clerkToken)).items[0].state).toBe("待审批");
    const within = await approve(holderToken, asked.body.id, { termType: "定期", endDate: "2026-12-31" });
    expect(within.body.state).toBe("已批准");

    // The legal rep asking their own unit cannot approve it themselves.
    const own = await ask(repToken);
    expect((await approve(repToken, own.body.id)).body.code).toBe("SELF_GRANT");
  });

  it("counts requests against floods: at most 10 pending, at most 20 a day", async () => {
    const tins = [];
    for (let i = 0; i < 11; i++) tins.push((await addUnit(companion, { name: `广东单位${i}` })).tin);
    const ids: string[] = [];
    for (const unit of tins.slice(0, 10)) ids.push((await ask(clerkToken, { tin: unit })).body.id);
    const eleventh = await ask(clerkToken, { tin: tins[10] });
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.code).toBe("GRANT_REQUEST_LIMIT");
    for (const id of ids) await withdraw(clerkToken, id);
    const again: string[] = [];
    for (const unit of tins.slice(0, 10)) again.push((await ask(clerkToken, { tin: unit })).body.id);
    // 20 made today: the 21st waits for the oldest to be a day old, even with nothing pending.
    for (const id of again) expect((await withdraw(clerkToken, id)).body.state).toBe("已撤回");
    const flooded = await ask(clerkToken, { tin: tins[10] });
    expect(flooded.body).toMatchObject({ code: "RATE_LIMITED", retryAfter: 86_400 });
    clock.advance(DAY);
    expect((await ask(await loginToken(companion, clerk), { tin: tins[10] })).body.state).toBe("待审批");
  });

  it("pushes each step to the requester and the unit's managers", async () => {
    const clerkSocket = connectEvents(companion, clerkToken);
    const repSocket = connectEvents(companion, repToken);
    await Promise.all([clerkSocket.ready, repSocket.ready]);
    const asked = await ask(clerkToken);
    await eventually(() => repSocket.events.length > 1);
    const event = { type: "grant-request-changed", unitTin: tin, unitName: "广东申请单位", requestId: asked.body.id };
    expect(repSocket.events[1]).toEqual({ ...event, change: "asked", forRequester: false });
    await approve(repToken, asked.body.id);
    await eventually(() => clerkSocket.events.some((e) => e.change === "approved"));
    expect(clerkSocket.events).toContainEqual({ ...event, change: "approved", forRequester: true });
    // The grant itself is pushed as grant changes are.
    expect(clerkSocket.events).toContainEqual(expect.objectContaining({ type: "grant-changed", change: "added" }));
    clerkSocket.socket.close();
    repSocket.socket.close();
  });

  it("takes a request from a desktop client (grant.request) by the same rules", async () => {
    const { client: pairing, clientToken } = await pairDesktopClient(companion, clerkToken);
    pairing.close();
    const desk = await desktopLoggedIn(companion, clientToken, clerk);
    try {
      const term = { permission: "办税权限", termType: "长期", startDate: "2026-11-28" } as const;
      const asked = await desk.request("grant.request", { tin, ...term, note: "从客户端申请" });
      expect(asked).toMatchObject({ unit: { tin }, state: "待审批", note: "从客户端申请" });
      await expect(desk.request("grant.request", { tin, ...term })).rejects.toMatchObject({
        code: "GRANT_REQUEST_PENDING",
      });
      await expect(desk.request("grant.request", { tin, ...term, termType: "定期" })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
        body: { fields: { endDate: "定期授权需要填写授权期限止" } },
      });
    } finally {
      desk.close();
    }
    expect((await pendingOf(repToken)).body.items).toMatchObject([{ requester: { name: "李办税" } }]);
  });
});
