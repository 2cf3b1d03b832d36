/**
 * `qr.redeem` a second time (issue 13, "Framing and contract"): the connection that redeemed a code
 * is told it is used (QR_ALREADY_USED, as documented), while any other connection learns nothing
 * about it — a used code of someone else answers like a code that never existed.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DesktopClient, DesktopError } from "../../shared/desktop/client.js";
import { api, type RunningCompanion, startCompanion } from "../support/companion.js";
import { connectDesktop, pairDesktopClient } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson } from "../support/people.js";
import { connectQrSocket, showQr } from "../support/qr.js";

let companion: RunningCompanion;
let approverToken: string;
let clientToken: string;
beforeAll(async () => {
  companion = await startCompanion();
  approverToken = await loginToken(companion, await registerPerson(companion, newPerson()));
  const paired = await pairDesktopClient(companion, approverToken);
  clientToken = paired.clientToken;
  paired.client.close();
});
afterAll(() => companion.close());

const refusalOf = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: "accepted" }),
    (error: unknown) => (error instanceof DesktopError ? error.body : { code: String(error) }),
  );

/** A requester's code scanned and confirmed by the approver, then redeemed once. */
async function redeemedOnce(requester: DesktopClient) {
  const { keys, created } = await showQr(requester);
  await api(companion, "/api/qr-login/scan", { token: approverToken, body: { qrText: created.qrText } });
  await api(companion, "/api/qr-login/confirm", { token: approverToken, body: { ref: created.ref } });
  const proof = await keys.proofFor(created.challenge);
  await requester.request("qr.redeem", { ref: created.ref, proof });
  return { ref: created.ref, proof };
}

async function pairedDesktop(): Promise<DesktopClient> {
  const client = await connectDesktop(companion);
  await client.request("hello", { clientToken });
  return client;
}

describe.each([
  ["the popup's socket", () => connectQrSocket(companion)],
  ["a desktop connection", pairedDesktop],
])("qr.redeem again on %s", (_name, connect) => {
  it("answers QR_ALREADY_USED to the connection that redeemed it", async () => {
    const requester = await connect();
    const { ref, proof } = await redeemedOnce(requester);
    expect(await refusalOf(requester.request("qr.redeem", { ref, proof }))).toMatchObject({
      code: "QR_ALREADY_USED",
      message: "该二维码已被使用，请在登录界面刷新二维码",
    });
    requester.close();
  });

  it("tells another connection nothing: a used code answers like one that never existed", async () => {
    const requester = await connect();
    const { ref, proof } = await redeemedOnce(requester);
    const other = await connect();
    const used = await refusalOf(other.request("qr.redeem", { ref, proof }));
    const unknown = await refusalOf(other.request("qr.redeem", { ref: randomBytes(16).toString("base64url"), proof }));
    expect(used).toEqual(unknown);
    expect(used).toMatchObject({ code: "QR_NOT_FOUND" });
    requester.close();
    other.close();
  });
});
