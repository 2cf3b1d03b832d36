import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DesktopError } from "../../shared/desktop/client.js";
import type { DesktopEvent } from "../../shared/desktop/protocol.js";
import { parseQrLoginText } from "../../shared/qr-login/contract.js";
import { newRequesterKeys } from "../../shared/qr-login/requester-keys.js";
import { api, manualClock, type RunningCompanion, startCompanion } from "../support/companion.js";
import { desktopLoggedIn, pairDesktopClient } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { connectQrSocket, showQr } from "../support/qr.js";

let companion: RunningCompanion;
let clock: ReturnType<typeof manualClock>;
let approver: TestPerson;
let approverToken: string;

beforeEach(async () => {
  clock = manualClock(Date.now());
  companion = await startCompanion({ clock });
  approver = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  approverToken = await loginToken(companion, approver);
});
afterEach(() => companion.close());

const refusalCode = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (error: unknown) => (error instanceof DesktopError ? error.code : String(error)),
  );

/** The approver's HTTP calls, as the 扫一扫 page makes them. */
const scan = (qrText: string, token = approverToken) =>
  api(companion, "/api/qr-login/scan", { token, body: { qrText } });
const decide = (decision: "confirm" | "cancel", ref: string, token = approverToken) =>
  api(companion, `/api/qr-login/${decision}`, { token, body: { ref } });

/** Every event a requester hears, in order. */
function heard(requester: Awaited<ReturnType<typeof connectQrSocket>>): DesktopEvent[] {
  const events: DesktopEvent[] = [];
  requester.onEvent((event) => events.push(event));
  return events;
}

describe("扫码登录 in the browser", () => {
  it("waiting → scanned → confirmed → redeemed: the popup gets a working session, sealed to its key", async () => {
    const requester = await connectQrSocket(companion);
    const events = heard(requester);
    const { keys, created } = await showQr(requester);
    expect(created.expiresIn).toBe(120);
    expect(created.qrSvg).toMatch(/^<svg/);
    // The QR code carries only the reference and the key's fingerprint.
    expect(parseQrLoginText(created.qrText)).toEqual({ ref: created.ref, fingerprint: created.fingerprint });
    expect(created.qrText).not.toContain(keys.publicKey.slice(0, 40));

    const scanned = requester.nextEvent("qr.scanned");
    const seen = await scan(created.qrText);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ ref: created.ref, clientKind: "browser", clientName: "Chrome 131 · Linux" });
    expect(Date.parse(seen.body.requestedAt)).toBeGreaterThan(0);
    expect((await scanned).approverName).toBe("**明");

    const confirmed = requester.nextEvent("qr.confirmed");
    expect((await decide("confirm", created.ref)).status).toBe(204);
    await confirmed;

    const redeemed = await requester.request("qr.redeem", {
      ref: created.ref,
      proof: await keys.proofFor(created.challenge),
    });
    expect(redeemed.person.maskedName).toBe("**明");
    expect(JSON.stringify(redeemed)).not.toMatch(/"token"/);
    const token = await keys.openToken(redeemed.sealedToken);
    expect(token).not.toBe(approverToken);
    const session = await api(companion, "/api/session", { token });
    expect(session).toMatchObject({ status: 200, body: { person: { id: redeemed.person.id } } });
    expect(events.map((e) => e.event)).toEqual(["qr.scanned", "qr.confirmed"]);
    requester.close();
  });

  it("取消: the requester hears it; the code cannot be confirmed or redeemed afterwards", async () => {
    const requester = await connectQrSocket(companion);
    const { keys, created } = await showQr(requester);
    await scan(created.qrText);
    const cancelled = requester.nextEvent("qr.cancelled");
    expect((await decide("cancel", created.ref)).status).toBe(204);
    await cancelled;
    expect((await decide("confirm", created.ref)).body.code).toBe("QR_CANCELLED");
    const proof = await keys.proofFor(created.challenge);
    expect(await refusalCode(requester.request("qr.redeem", { ref: created.ref, proof }))).toBe("QR_CANCELLED");
    requester.close();
  });

  it("expires on the clock: 二维码已过期 is pushed, and the code is refused from then on", async () => {
    const requester = await connectQrSocket(companion);
    const { created } = await showQr(requester);
    const expired = requester.nextEvent("qr.expired");
    clock.advance(119_000);
    expect((await scan(created.qrText)).status).toBe(200);
    clock.advance(1_000);
    expect(await expired).toEqual({ event: "qr.expired", ref: created.ref });
    expect((await decide("confirm", created.ref)).body.code).toBe("QR_EXPIRED");
    // 刷新: a new code works.
    const fresh = await showQr(requester);
    expect((await scan(fresh.created.qrText)).status).toBe(200);
    requester.close();
  });

  it("a confirmed code not redeemed within the window expires", async () => {
    const requester = await connectQrSocket(companion);
    const { keys, created } = await showQr(requester);
    await scan(created.qrText);
    await decide("confirm", created.ref);
    clock.advance(61_000);
    const proof = await keys.proofFor(created.challenge);
    expect(await refusalCode(requester.request("qr.redeem", { ref: created.ref, proof }))).toBe("QR_EXPIRED");
    requester.close();
  });

  it("single use: a second confirm, a second scanner and a replayed redeem all fail", async () => {
    const other = await registerPerson(companion, newPerson({ name: "李四" }));
    const otherToken = await loginToken(companion, other);
    const requester = await connectQrSocket(companion);
    const { keys, created } = await showQr(requester);
    await scan(created.qrText);
    // Scanning again by the same person shows the same screen; another person cannot take it over.
    expect((await scan(created.qrText)).status).toBe(200);
    expect((await scan(created.qrText, otherToken)).body.code).toBe("QR_ALREADY_USED");
    expect((await decide("confirm", created.ref, otherToken)).body.code).toBe("QR_ALREADY_USED");
    expect((await decide("confirm", created.ref)).status).toBe(204);
    expect((await decide("confirm", created.ref)).body.code).toBe("QR_ALREADY_USED");
    expect((await decide("cancel", created.ref)).body.code).toBe("QR_ALREADY_USED");

    const proof = await keys.proofFor(created.challenge);
    await requester.request("qr.redeem", { ref: created.ref, proof });
    const replay = await connectQrSocket(companion);
    // The reference belongs to the connection that showed it…
    expect(await refusalCode(replay.request("qr.redeem", { ref: created.ref, proof }))).toBe("QR_NOT_FOUND");
    // …and even the scan of a used code is refused.
    expect((await scan(created.qrText)).body.code).toBe("QR_ALREADY_USED");
    requester.close();
    replay.close();
  });

  it("concurrent confirms: exactly one wins", async () => {
    const requester = await connectQrSocket(companion);
    const { created } = await showQr(requester);
    await scan(created.qrText);
    const results = await Promise.all(Array.from({ length: 20 }, () => decide("confirm", created.ref)));
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
    expect(new Set(results.filter((r) => r.status !== 204).map((r) => r.body.code))).toEqual(
      new Set(["QR_ALREADY_USED"]),
    );
    requester.close();
  });

  it("the wrong key: a redeem without the private key fails, and three such tries spend the code", async () => {
    const requester = await connectQrSocket(companion);
    const { keys, created } = await showQr(requester);
    await scan(created.qrText);
    await decide("confirm", created.ref);
    const stranger = await newRequesterKeys();
    const wrong = await stranger.proofFor(created.challenge).catch(() => "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    for (let i = 0; i < 3; i++) {
      expect(await refusalCode(requester.request("qr.redeem", { ref: created.ref, proof: wrong }))).toBe(
        "QR_KEY_MISMATCH",
      );
    }
    const proof = await keys.proofFor(created.challenge);
    expect(await refusalCode(requester.request("qr.redeem", { ref: created.ref, proof }))).toBe("QR_KEY_MISMATCH");
    requester.close();
  });

  it("a QR text whose fingerprint is not the requester's key is refused at the scan", async () => {
    const requester = await connectQrSocket(companion);
    const { created } = await showQr(requester);
    const forged = created.qrText.replace(created.fingerprint, "A".repeat(43));
    expect((await scan(forged)).body.code).toBe("QR_KEY_MISMATCH");
    expect((await scan("https://example.com/not-ours")).body.code).toBe("QR_NOT_FOUND");
    requester.close();
  });

  it("redeem before 确认登录 is refused", async () => {
    const requester = await connectQrSocket(companion);
    const { keys, created } = await showQr(requester);
    const proof = await keys.proofFor(created.challenge);
    expect(await refusalCode(requester.request("qr.redeem", { ref: created.ref, proof }))).toBe("QR_NOT_CONFIRMED");
    await scan(created.qrText);
    expect(await refusalCode(requester.request("qr.redeem", { ref: created.ref, proof }))).toBe("QR_NOT_CONFIRMED");
    requester.close();
  });

  it("the approver must be logged in", async () => {
    const requester = await connectQrSocket(companion);
    const { created } = await showQr(requester);
    expect((await scan(created.qrText, "")).status).toBe(401);
    await api(companion, "/api/logout", { token: approverToken, body: {} });
    expect((await scan(created.qrText)).body.code).toBe("UNAUTHENTICATED");
    expect((await decide("confirm", created.ref)).body.code).toBe("UNAUTHENTICATED");
    requester.close();
  });

  it("a requester that goes away: its code is dropped, nobody can confirm it", async () => {
    const requester = await connectQrSocket(companion);
    const { created } = await showQr(requester);
    requester.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await scan(created.qrText)).body.code).toBe("QR_NOT_FOUND");
  });

  it("a scanned code whose requester goes away expires: its approver is told so", async () => {
    const requester = await connectQrSocket(companion);
    const { created } = await showQr(requester);
    expect((await scan(created.qrText)).status).toBe(200);
    requester.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await decide("confirm", created.ref)).body.code).toBe("QR_EXPIRED");
  });

  it("QR creation is rate limited per connection", async () => {
    const requester = await connectQrSocket(companion);
    const keys = await newRequesterKeys();
    for (let i = 0; i < 10; i++) await requester.request("qr.create", { publicKey: keys.publicKey });
    const refused = await requester.request("qr.create", { publicKey: keys.publicKey }).catch((e: DesktopError) => e);
    expect(refused).toBeInstanceOf(DesktopError);
    expect((refused as DesktopError).body).toMatchObject({ code: "RATE_LIMITED", retryAfter: 300 });
    clock.advance(300_000);
    await requester.request("qr.create", { publicKey: keys.publicKey });
    requester.close();
  });

  it("refuses keys that are not RSA-OAEP public keys of 2048–4096 bits, and pages of other origins", async () => {
    const requester = await connectQrSocket(companion);
    const refused = await requester.request("qr.create", { publicKey: "A".repeat(400) }).catch((e: DesktopError) => e);
    expect((refused as DesktopError).body).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: { publicKey: expect.any(String) },
    });
    requester.close();
    await expect(connectQrSocket(companion, "https://evil.example")).rejects.toThrow("HTTP 403");
  });
});

describe("手机端下载", () => {
  it("gives the app's download address and its QR code", async () => {
    const { status, body } = await api(companion, "/api/app-download");
    expect(status).toBe(200);
    expect(body.appUrl).toBe("https://www.chinatax.gov.cn/");
    expect(body.appQrSvg).toMatch(/^<svg/);
  });
});

describe("扫码登录 on desktop clients", () => {
  it("desktop-requested, browser-approved: the client's connection is logged in as the approver", async () => {
    const { client } = await pairDesktopClient(companion, approverToken, "扣缴客户端 (财务室)");
    const { keys, created } = await showQr(client);
    const seen = await scan(created.qrText);
    expect(seen.body).toMatchObject({ clientKind: "desktop", clientName: "扣缴客户端 (财务室)" });
    const confirmed = client.nextEvent("qr.confirmed");
    await decide("confirm", created.ref);
    await confirmed;
    const redeemed = await client.request("qr.redeem", {
      ref: created.ref,
      proof: await keys.proofFor(created.challenge),
    });
    expect(redeemed.person.maskedName).toBe("**明");
    expect((await client.request("units.list", {})).totals.count).toBe(0);
    // The token, sealed to the client's key, is a real session.
    const token = await keys.openToken(redeemed.sealedToken);
    expect((await api(companion, "/api/session", { token })).status).toBe(200);
    client.close();
  });

  it("browser-requested, desktop-approved; and desktop to desktop", async () => {
    const { clientToken } = await pairDesktopClient(companion, approverToken);
    const approverDesk = await desktopLoggedIn(companion, clientToken, approver);

    const popup = await connectQrSocket(companion);
    const fromPopup = await showQr(popup);
    const scanned = popup.nextEvent("qr.scanned");
    expect(await approverDesk.request("qr.scan", { qrText: fromPopup.created.qrText })).toMatchObject({
      clientKind: "browser",
    });
    expect((await scanned).approverName).toBe("**明");
    await approverDesk.request("qr.confirm", { ref: fromPopup.created.ref });
    const redeemed = await popup.request("qr.redeem", {
      ref: fromPopup.created.ref,
      proof: await fromPopup.keys.proofFor(fromPopup.created.challenge),
    });
    expect(
      (await api(companion, "/api/session", { token: await fromPopup.keys.openToken(redeemed.sealedToken) })).status,
    ).toBe(200);

    const { client: newDesk } = await pairDesktopClient(companion, approverToken, "新电脑");
    const fromDesk = await showQr(newDesk);
    await approverDesk.request("qr.scan", { qrText: fromDesk.created.qrText });
    const cancelled = newDesk.nextEvent("qr.cancelled");
    await approverDesk.request("qr.cancel", { ref: fromDesk.created.ref });
    await cancelled;
    expect(await refusalCode(newDesk.request("units.list", {}))).toBe("NOT_LOGGED_IN");
    for (const c of [approverDesk, popup, newDesk]) c.close();
  });

  it("an unpaired desktop connection cannot ask for a QR code, nor approve without a login", async () => {
    const { client } = await pairDesktopClient(companion, approverToken);
    const keys = await newRequesterKeys();
    expect(await refusalCode(client.request("qr.scan", { qrText: "taxauth-qr:1:x" }))).toBe("NOT_LOGGED_IN");
    client.close();
    const { connectDesktop } = await import("../support/desktop.js");
    const unpaired = await connectDesktop(companion);
    expect(await refusalCode(unpaired.request("qr.create", { publicKey: keys.publicKey }))).toBe("NOT_PAIRED");
    unpaired.close();
  });
});
