import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { DesktopError } from "../../shared/desktop/client.js";
import { DESKTOP_PROTOCOL_VERSION, DESKTOP_RATE_BURST } from "../../shared/desktop/protocol.js";
import { api, type RunningCompanion, startCompanion } from "../support/companion.js";
import { connectDesktop, pairDesktopClient } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

let companion: RunningCompanion;
let person: TestPerson;
let token: string;
beforeEach(async () => {
  companion = await startCompanion();
  person = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  token = await loginToken(companion, person);
});
afterEach(() => companion.close());

const refusalCode = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (error: unknown) => (error instanceof DesktopError ? error.code : String(error)),
  );

/** Pairs a new desktop client through the popup API; returns the client and its token. */
function pairedClient(name = "扣缴客户端 (测试)") {
  return pairDesktopClient(companion, token, name);
}

describe("desktop pairing", () => {
  it("an unpaired client may only ask to pair", async () => {
    const client = await connectDesktop(companion);
    expect(await refusalCode(client.request("login", { account: person.loginName, password: person.password }))).toBe(
      "NOT_PAIRED",
    );
    expect(await refusalCode(client.request("units.list", {}))).toBe("NOT_PAIRED");
    expect(await refusalCode(client.request("captcha", {}))).toBe("NOT_PAIRED");
    expect(await refusalCode(client.request("hello", { clientToken: "forged" }))).toBe("NOT_PAIRED");
    expect(await client.request("ping", {})).toEqual({});
    client.close();
  });

  it("approved in the popup: the client gets its own token and uses it on later connections", async () => {
    const { client, clientToken } = await pairedClient();
    expect(clientToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Paired: login works on this connection, with the same rules as the browser.
    const login = await client.request("login", { account: person.phone, password: person.password });
    expect(login.person.maskedName).toBe("**明");
    client.close();

    const later = await connectDesktop(companion);
    expect(await later.request("hello", { clientToken })).toEqual({
      clientName: "扣缴客户端 (测试)",
      person: null,
      protocolVersion: DESKTOP_PROTOCOL_VERSION,
    });
    await later.request("login", { account: person.loginName, password: person.password });
    expect((await later.request("units.list", {})).totals).toEqual({
      count: 0,
      comprehensiveFiled: 0,
      businessFiled: 0,
    });
    const clients = await api(companion, "/api/desktop/clients", { token });
    expect(clients.body.items).toMatchObject([{ name: "扣缴客户端 (测试)" }]);
    later.close();
  });

  it("denied in the popup: the client is told, and stays unpaired", async () => {
    const client = await connectDesktop(companion);
    const denied = client.nextEvent("pair.denied");
    const { code } = await client.request("pair.request", { clientName: "来历不明" });
    expect((await api(companion, "/api/desktop/pairings", { token })).body).toEqual({ pending: 1 });
    expect((await api(companion, "/api/desktop/pairings/deny", { token, body: { code } })).status).toBe(204);
    expect(await denied).toEqual({ event: "pair.denied" });
    expect(await refusalCode(client.request("captcha", {}))).toBe("NOT_PAIRED");
    expect((await api(companion, "/api/desktop/pairings", { token })).body).toEqual({ pending: 0 });
    client.close();
  });

  it("revoking a client ends its connections at once and its token stops working", async () => {
    const { client, clientToken } = await pairedClient();
    const [{ id }] = (await api(companion, "/api/desktop/clients", { token })).body.items;
    const revoked = client.nextEvent("client.revoked");
    expect((await api(companion, `/api/desktop/clients/${id}/revoke`, { token, body: {} })).status).toBe(204);
    expect(await revoked).toEqual({ event: "client.revoked" });
    const again = await connectDesktop(companion);
    expect(await refusalCode(again.request("hello", { clientToken }))).toBe("NOT_PAIRED");
    again.close();
    // Only the owner may revoke.
    const other = await registerPerson(companion, newPerson({ name: "李四" }));
    expect(
      (
        await api(companion, `/api/desktop/clients/${id}/revoke`, {
          token: await loginToken(companion, other),
          body: {},
        })
      ).body.code,
    ).toBe("DESKTOP_CLIENT_NOT_FOUND");
  });

  it("refuses browser pages at the upgrade", async () => {
    await expect(connectDesktop(companion, { origin: "https://evil.example" })).rejects.toThrow("HTTP 403");
    await expect(connectDesktop(companion, { host: "evil.example" })).rejects.toThrow("HTTP 403");
  });

  it("lists the person's units with the seed's totals, and adds one by 纳税人识别号", async () => {
    const { client } = await pairedClient();
    await client.request("login", { account: person.loginName, password: person.password });
    const granted = await addUnit(companion, { name: "广东QJ4核定4", comprehensiveIncome: "已申报" });
    const other = await addUnit(companion, { name: "广东QJ1查账" });
    const rep = await registerPerson(companion, newPerson({ name: "王法人" }));
    await setOfficer(companion, { tin: granted.tin, role: "法定代表人", person: rep });
    await api(companion, `/api/units/${granted.tin}/grants`, {
      token: await loginToken(companion, rep),
      body: {
        docType: person.docType,
        docNumber: person.docNumber,
        name: person.name,
        permission: "办税权限",
        termType: "长期",
        startDate: "2020-01-01",
      },
    });
    expect(await client.request("units.add", { tin: granted.tin })).toMatchObject({
      tin: granted.tin,
      position: 1,
      unit: { name: "广东QJ4核定4", access: "direct" },
    });
    expect(await client.request("units.add", { tin: other.tin.toLowerCase() })).toMatchObject({
      tin: other.tin,
      position: 2,
      unit: { name: "广东QJ1查账", access: "password" },
    });
    const list = await client.request("units.list", {});
    expect(list.items.map((u) => [u.name, u.access])).toEqual([
      ["广东QJ4核定4", "direct"],
      ["广东QJ1查账", "password"],
    ]);
    expect(list).toMatchObject({ total: 2, nextCursor: null });
    expect(list.totals).toEqual({ count: 2, comprehensiveFiled: 1, businessFiled: 0 });
    // ▼: one row moves (for this login).
    expect(await client.request("units.order", { tin: granted.tin, to: "down" })).toEqual({
      tin: granted.tin,
      position: 2,
    });
    const unlisted = await addUnit(companion, { name: "广东QJ9" });
    expect(await refusalCode(client.request("units.order", { tin: unlisted.tin, to: "up" }))).toBe("VALIDATION_FAILED");
    const names = async () => (await client.request("units.list", {})).items.map((u) => u.name);
    expect(await names()).toEqual(["广东QJ1查账", "广东QJ4核定4"]);
    expect(await refusalCode(client.request("units.add", { tin: "91440101MA00000000" }))).toMatch(
      /UNIT_NOT_FOUND|VALIDATION_FAILED/,
    );
    client.close();
  });
});

describe("desktop socket robustness", () => {
  it("a burst over the rate limit is refused with RATE_LIMITED, each refusal naming its request", async () => {
    const client = await connectDesktop(companion);
    const outcomes = await Promise.all(
      Array.from({ length: DESKTOP_RATE_BURST + 20 }, () =>
        client.request("ping", {}).then(
          () => "ok",
          (error: DesktopError) => error.code,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === "ok").length).toBeGreaterThanOrEqual(DESKTOP_RATE_BURST);
    expect(outcomes.filter((o) => o === "RATE_LIMITED").length).toBeGreaterThan(0);
    expect(outcomes.every((o) => o === "ok" || o === "RATE_LIMITED")).toBe(true);
    client.close();
  });

  it("missing fields are explained in Chinese", async () => {
    const client = await connectDesktop(companion);
    const refusal = await client.request("pair.request", {} as never).catch((error: DesktopError) => error.body);
    expect(refusal).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: { clientName: expect.stringMatching(/^无效输入/) },
    });
    client.close();
  });

  it("answers every malformed frame with an error and keeps serving", async () => {
    const socket = new WebSocket(`${companion.url.replace("http", "ws")}/desktop`);
    await new Promise((resolve) => socket.once("open", resolve));
    const replies: Array<Record<string, unknown>> = [];
    socket.on("message", (data) => replies.push(JSON.parse(String(data))));
    const frames: Array<string | Buffer> = [
      "not json",
      Buffer.from([0, 1, 2]),
      "[]",
      "42",
      JSON.stringify({ id: "1", type: "no.such.request" }),
      JSON.stringify({ id: "2", type: "login", account: 42 }),
      JSON.stringify({ type: "ping" }),
      JSON.stringify({ id: "3", type: "ping" }),
    ];
    for (const frame of frames) socket.send(frame);
    for (let i = 0; i < 100 && replies.length < frames.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(replies.map((r) => r.code ?? "ok")).toEqual([
      "BAD_REQUEST",
      "BAD_REQUEST",
      "VALIDATION_FAILED",
      "VALIDATION_FAILED",
      // Unpaired: requests other than pairing are refused before they are even validated.
      "NOT_PAIRED",
      "NOT_PAIRED",
      "VALIDATION_FAILED",
      "ok",
    ]);
    expect(replies[4]).toMatchObject({ id: "1", ok: false });
    // An oversize frame closes the connection (1009); the companion stays up.
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.send("x".repeat(20 * 1024));
    expect(await closed).toBe(1009);
    expect((await api(companion, "/healthz")).body.status).toBe("ok");
  });
});
