import { shanghaiDate } from "../shared/dates.js";
import { type DesktopClient, DesktopError } from "../shared/desktop/client.js";
import { ERROR_MESSAGES, type ErrorCode } from "../shared/errors.js";
import { parseQrLoginText, QR_CLIENT_KIND_LABELS, type QrCreated } from "../shared/qr-login/contract.js";
import { newRequesterKeys, type RequesterKeys } from "../shared/qr-login/requester-keys.js";
import { ask, DeskError, say } from "./terminal.js";

/**
 * 扫码登录 (docs/desktop-protocol.md, "扫码登录"): this client as the requester (it shows a QR code
 * and is logged in once someone confirms it) and as the approver (a logged-in person confirms a
 * code shown elsewhere).
 */

/** A refusal told by an event rather than a reply: the same code and message as the companion's. */
const qrRefusal = (code: ErrorCode) => new DesktopError({ code, message: ERROR_MESSAGES[code] });

/** `YYYY-MM-DD HH:MM:SS` in Asia/Shanghai, the companion's zone. */
function shanghaiDateTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${shanghaiDate(ms)} ${new Date(ms + 8 * 3600_000).toISOString().slice(11, 19)}`;
}

/**
 * The seconds left, on one line rewritten every second on a terminal; elsewhere (scripts, logs)
 * said once. `line` prints a message above it.
 */
function countdown(seconds: number) {
  const until = Date.now() + seconds * 1000;
  const tty = process.stdout.isTTY === true;
  const left = () => Math.max(0, Math.ceil((until - Date.now()) / 1000));
  const draw = () => process.stdout.write(`\r\x1b[K二维码有效时间还剩 ${left()} 秒`);
  let timer: NodeJS.Timeout | null = null;
  if (tty) {
    draw();
    timer = setInterval(draw, 1000);
  } else {
    say(`二维码 ${seconds} 秒内有效`);
  }
  return {
    line(text: string) {
      if (!tty) return say(text);
      process.stdout.write(`\r\x1b[K${text}\n`);
      draw();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (tty) process.stdout.write("\r\x1b[K");
    },
  };
}

type Outcome = { kind: "confirmed" } | { kind: "expired" };

/**
 * Waits for what happens to the shown code: 确认登录 or expiry (resolve), 取消 or the end of the
 * connection (reject). Registered right after qr.create, before anything else is awaited, so no
 * event of the code can be missed.
 */
function outcomeOf(client: DesktopClient, created: QrCreated, onScanned: (approverName: string) => void) {
  return new Promise<Outcome>((resolve, reject) => {
    const finish = (settle: () => void) => {
      offEvent();
      offClose();
      clearTimeout(fallback);
      settle();
    };
    const offEvent = client.onEvent((event) => {
      if (event.event === "client.revoked") {
        return finish(() => reject(new DeskError("本客户端的配对已在浏览器扩展中被撤销，请重新配对", 2)));
      }
      if (!("ref" in event) || event.ref !== created.ref) return;
      if (event.event === "qr.scanned") onScanned(event.approverName);
      else if (event.event === "qr.confirmed") finish(() => resolve({ kind: "confirmed" }));
      else if (event.event === "qr.cancelled") finish(() => reject(qrRefusal("QR_CANCELLED")));
      else if (event.event === "qr.expired") finish(() => resolve({ kind: "expired" }));
    });
    const offClose = client.onClose(() => finish(() => reject(new DeskError("与本地服务的连接已断开", 3))));
    // The companion says qr.expired within a second; should that be lost, the code is over all the same.
    const fallback = setTimeout(() => finish(() => resolve({ kind: "expired" })), (created.expiresIn + 5) * 1000);
  });
}

async function drawCode(qrText: string): Promise<void> {
  const { default: QRCode } = await import("qrcode");
  say((await QRCode.toString(qrText, { type: "terminal", small: true })).trimEnd());
  say(`二维码内容（可复制）：${qrText}`);
  say("请在已登录的浏览器扩展中打开「扫一扫」扫描，或在另一台已登录的客户端运行 taxauth-desk approve <二维码内容>");
}

/**
 * One QR code, from qr.create to 确认登录 or expiry. Each code has a key pair of its own: its private
 * half never leaves this process and serves that code only.
 */
async function oneCode(client: DesktopClient): Promise<Outcome & { ref: string; proof: string; keys: RequesterKeys }> {
  const keys = await newRequesterKeys();
  const created = await client.request("qr.create", { publicKey: keys.publicKey });
  let shown: ReturnType<typeof countdown> | null = null;
  const outcome = outcomeOf(client, created, (approverName) =>
    (shown?.line ?? say)(`扫描成功，请在扫码的设备上确认登录（扫码人：${approverName}）`),
  );
  // Awaited below; until then a refusal (the connection lost while drawing) is not "unhandled".
  outcome.catch(() => {});
  try {
    // The proof is ready before anyone confirms: redeeming then takes one round trip.
    const proof = await keys.proofFor(created.challenge);
    say("");
    say("扫码登录");
    await drawCode(created.qrText);
    shown = countdown(created.expiresIn);
    return { ...(await outcome), ref: created.ref, proof, keys };
  } finally {
    shown?.stop();
  }
}

/**
 * 扫码登录 as the requester: a key pair per code, a QR code carrying only its fingerprint, then
 * 扫描成功 → 确认登录 → qr.redeem with the proof; the session token comes back sealed to the key and is
 * opened to check it. An expired code is refreshed on Enter (or at once with `refresh`); 取消 and an
 * expired code without a refresh are refusals (QR_CANCELLED, QR_EXPIRED).
 */
export async function logInWithQr(client: DesktopClient, options: { refresh?: boolean } = {}): Promise<void> {
  for (;;) {
    const code = await oneCode(client);
    if (code.kind === "confirmed") {
      const redeemed = await client.request("qr.redeem", { ref: code.ref, proof: code.proof });
      // The token is the connection's session; opening it proves it was sealed to this code's key.
      const token = await code.keys.openToken(redeemed.sealedToken).catch(() => "");
      if (!/^[A-Za-z0-9_-]{22,}$/.test(token)) throw qrRefusal("QR_KEY_MISMATCH");
      say(`已登录：${redeemed.person.maskedName}（${redeemed.person.loginName}），扫码登录`);
      return;
    }
    say("二维码已过期");
    if (!options.refresh) {
      // Enter (an empty line from a script) asks for a new code; the end of input gives up.
      await ask("按回车键刷新二维码（Ctrl-C 退出）: ").catch((error: unknown) => {
        throw error instanceof DeskError ? qrRefusal("QR_EXPIRED") : error;
      });
    }
    say("正在刷新二维码…");
  }
}

/**
 * 扫码登录 as the approver (the person logged in on this connection): who asks and when, the
 * warning, then 确认登录 or 取消 — asked (y/N, 取消 by default) unless `decision` is given.
 */
export async function approveQrLogin(
  client: DesktopClient,
  qrText: string,
  decision: "confirm" | "cancel" | undefined,
): Promise<void> {
  const scanned = await client.request("qr.scan", { qrText: qrText.trim() });
  const who = `${QR_CLIENT_KIND_LABELS[scanned.clientKind]}「${scanned.clientName}」`;
  say(
    [
      "",
      "扫码登录确认",
      `  请求登录：${who}`,
      `  请求时间：${shanghaiDateTime(scanned.requestedAt)}`,
      `  二维码有效时间还剩 ${scanned.expiresIn} 秒`,
      "",
      "如果这不是您本人发起的登录，请选择取消",
    ].join("\n"),
  );
  const choice =
    decision ??
    // No answer (the end of a script's input) is the default: 取消.
    (/^(y|yes|是|确认)$/i.test(await ask("确认登录? [y/N] ").catch(() => "")) ? "confirm" : "cancel");
  if (choice === "confirm") {
    await client.request("qr.confirm", { ref: scanned.ref });
    say(`已确认登录：${who}将以您的身份登录`);
  } else {
    await client.request("qr.cancel", { ref: scanned.ref });
    say("已取消该登录请求");
  }
}

/** A text that is not a taxauth QR login code, refused before anything is sent. */
export function checkQrText(qrText: string): void {
  if (!parseQrLoginText(qrText.trim())) throw qrRefusal("QR_NOT_FOUND");
}
