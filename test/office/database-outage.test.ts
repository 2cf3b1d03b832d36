import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "../../companion/demo/postgres-cluster.js";
import type { DesktopEvent } from "../../shared/desktop/protocol.js";
import { ERROR_MESSAGES } from "../../shared/errors.js";
import { api, freshOfficeDatabase, type RunningCompanion, startCompanion } from "../support/companion.js";
import { desktopLoggedIn, pairDesktopClient } from "../support/desktop.js";
import { grantOverApi } from "../support/grants.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { addUnit, setOfficer } from "../support/units.js";

// Its own cluster, which this test stops and starts again under load.
let cluster: PostgresCluster;
let companion: RunningCompanion;

beforeAll(async () => {
  cluster = await startPostgresCluster({ durableCommits: true });
  companion = await startCompanion({ databaseUrl: await freshOfficeDatabase(cluster.url) });
});
afterAll(async () => {
  await companion?.close();
  await cluster?.stop();
});

/** People written straight to the store (registered, never logging in), to be granted over the API. */
async function grantees(count: number): Promise<TestPerson[]> {
  const people: TestPerson[] = [];
  for (let i = 0; i < count; i++) {
    const stems = "甲乙丙丁戊己庚辛壬癸";
    const person = newPerson({ name: `停机${stems[i % 10]}${stems[Math.floor(i / 10)]}` });
    await companion.app.core.people.insert({
      id: randomUUID(),
      docType: person.docType,
      docNumber: person.docNumber,
      name: person.name,
      nationality: "中国",
      loginName: `outage_${randomUUID().slice(0, 8)}`,
      phone: null,
      passwordHash: "unused",
      registeredVia: "hall-code",
      createdAt: Date.now(),
    });
    people.push(person);
  }
  return people;
}

it("while PostgreSQL is down requests answer DATABASE_UNAVAILABLE and desktop clients are told; then everything resumes, nothing half-written", async () => {
  const { tin } = await addUnit(companion, { name: "停机测试单位" });
  const rep = newPerson();
  await registerPerson(companion, rep);
  await setOfficer(companion, { tin, role: "法定代表人", person: rep });
  const token = await loginToken(companion, rep);
  const { clientToken } = await pairDesktopClient(companion, token);
  const desktop = await desktopLoggedIn(companion, clientToken, rep);
  const heard: DesktopEvent["event"][] = [];
  desktop.onEvent((event) => heard.push(event.event));
  const people = await grantees(40);

  // Grants go on, four at a time, while the server is stopped after the first ten.
  const statuses = new Map<TestPerson, { status: number; code?: string; message?: string }>();
  let next = 0;
  let halted: Promise<void> | null = null;
  const unavailable = desktop.nextEvent("database.unavailable");
  const worker = async () => {
    while (next < people.length) {
      const person = people[next++] as TestPerson;
      if (next === 10) halted = cluster.halt();
      const { status, body } = await grantOverApi(companion, token, tin, person);
      statuses.set(person, { status, code: body?.code, message: body?.message });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  await halted;

  expect(await unavailable).toEqual({ event: "database.unavailable", message: ERROR_MESSAGES.DATABASE_UNAVAILABLE });
  const refused = [...statuses.values()].filter((s) => s.status >= 400);
  expect(refused.length).toBeGreaterThan(0);
  // Every refusal is the clear one — never a 500 or a stack trace.
  for (const answer of refused) {
    expect(answer).toEqual({ status: 503, code: "DATABASE_UNAVAILABLE", message: "暂时无法连接数据库，请稍后再试" });
  }
  const down = await api(companion, "/api/my/grants", { token });
  expect([down.status, down.body.code]).toEqual([503, "DATABASE_UNAVAILABLE"]);

  const restored = desktop.nextEvent("database.restored");
  await cluster.resume();
  await restored;
  expect(heard.filter((event) => event.startsWith("database."))).toEqual(["database.unavailable", "database.restored"]);

  // The login, the desktop session and the companion carry on; the refused grants go through now
  // (or were in fact committed before the connection went: then they exist, once).
  expect((await api(companion, "/api/my/grants", { token })).status).toBe(200);
  await desktop.request("units.list", {});
  for (const [person, answer] of statuses) {
    if (answer.status < 400) continue;
    const again = await grantOverApi(companion, token, tin, person);
    expect(again.status === 200 || again.body.code === "GRANT_EXISTS").toBe(true);
  }

  // Nothing half-written: every grant has exactly its one history row, and the chain holds.
  const core = companion.app.core;
  const grants = await core.sql.all<{ id: string }>("SELECT id FROM grants WHERE unit_tin = ?", [tin]);
  const history = await core.audit.ofUnit(tin);
  expect(grants).toHaveLength(people.length);
  expect(history.map((row) => row.grantId).sort()).toEqual(grants.map((g) => g.id).sort());
  expect(await core.audit.verify()).toMatchObject({ ok: true });
  desktop.close();
});
