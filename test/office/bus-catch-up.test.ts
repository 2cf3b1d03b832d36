import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { EXTENSION_ORIGIN } from "../../shared/extension-identity.js";
import { freshOfficeDatabase, type RunningCompanion, startCompanion } from "../support/companion.js";
import { desktopLoggedIn, pairDesktopClient } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { connectQrSocket, showQr } from "../support/qr.js";

/**
 * What another companion of the office did while this one's LISTEN connection was down reaches
 * nobody by notice. Here those changes are written straight into the database (no notice at
 * all), then the listening connection is cut: only the catch-up after it listens again can tell
 * the people connected here.
 */
describe("after the office bus reconnects, what was missed is caught up", () => {
  let companion: RunningCompanion;
  let person: TestPerson;

  beforeAll(async () => {
    companion = await startCompanion({ databaseUrl: await freshOfficeDatabase() });
    person = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  });
  afterAll(() => companion?.close());

  const cutListening = async () => {
    const { sql } = companion.app.core;
    const listeners = await sql.all<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    );
    expect(listeners).toHaveLength(1);
    await sql.value("SELECT pg_terminate_backend(?)", [listeners[0]!.pid]);
  };

  it("a QR code confirmed elsewhere: its requester hears qr.confirmed", async () => {
    const requester = await connectQrSocket(companion);
    const { created } = await showQr(requester);
    const approver = await registerPerson(companion, newPerson({ name: "王法人" }));
    const approverId = (await companion.app.core.people.byDocument(approver.docType, approver.docNumber))!.id;
    // Scanned and confirmed through another companion whose notices never arrived.
    await companion.app.core.sql.run(
      "UPDATE qr_logins SET state = 'confirmed', approver_id = ?, scanned_at = ?, decided_at = ?, expires_at = ? WHERE ref = ?",
      [approverId, Date.now(), Date.now(), Date.now() + 60_000, created.ref],
    );
    const confirmed = requester.nextEvent("qr.confirmed");
    await sleep(200);
    let heard = false;
    void confirmed.then(() => {
      heard = true;
    });
    await sleep(100);
    expect(heard).toBe(false);
    await cutListening();
    expect(await confirmed).toEqual({ event: "qr.confirmed", ref: created.ref });
    requester.close();
  });

  it("sessions ended elsewhere: the desktop client is logged out; the extension's pages reload", async () => {
    const token = await loginToken(companion, person);
    const pairing = await pairDesktopClient(companion, token);
    pairing.client.close();
    const desk = await desktopLoggedIn(companion, pairing.clientToken, person);
    const socket = new WebSocket(`${companion.url.replace("http", "ws")}/api/events`, { origin: EXTENSION_ORIGIN });
    const events: Array<Record<string, unknown>> = [];
    socket.on("message", (data) => events.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "auth", token }));
    for (let i = 0; i < 100 && events.length === 0; i++) await sleep(10);
    expect(events).toEqual([{ type: "ready" }]);

    // The desktop login's session ended through another companion (a password reset there, say).
    const personId = (await companion.app.core.people.byDocument(person.docType, person.docNumber))!.id;
    const desktopSessions = await companion.app.core.sql.all<{ token_hash: string }>(
      "SELECT token_hash FROM sessions WHERE person_id = ? ORDER BY created_at DESC",
      [personId],
    );
    await companion.app.core.sql.run("UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ?", [
      Date.now(),
      "password-reset",
      desktopSessions[0]!.token_hash,
    ]);
    const ended = desk.nextEvent("session.ended");
    await cutListening();
    expect((await ended).event).toBe("session.ended");
    for (let i = 0; i < 300 && events.length < 2; i++) await sleep(10);
    expect(events).toEqual([{ type: "ready" }, { type: "ready" }]);
    socket.close();
    desk.close();
  });
});
