import * as z from "zod";
import { personSummarySchema } from "../api/accounts.js";
import { endpoint } from "../api/endpoint.js";

/**
 * 扫码登录, after the Discord remote-auth pattern. A login surface — the popup or a desktop
 * client — makes an RSA-OAEP key pair and asks for a QR session with the public key. The QR code
 * carries only the session reference and the key's fingerprint. A person logged in elsewhere scans
 * it and confirms; the requester then proves it holds the private key (it decrypts the challenge)
 * and receives the session token once, encrypted to its key.
 *
 * Keys: RSA-OAEP, 2048–4096 bits, SHA-256; the public key travels as base64 SPKI DER; ciphertexts
 * as base64. Fingerprint: base64url SHA-256 of the SPKI DER.
 */

/** How long a QR code can be scanned and confirmed, unless the companion is configured otherwise. */
export const QR_LOGIN_TTL_SECONDS = 120;
/**
 * New codes on one connection (a popup's 扫码登录 socket, a desktop connection), at most this many
 * in QR_CREATE_WINDOW_SECONDS; the next gets RATE_LIMITED. Per connection only: a limit shared by
 * all would be one a flood could use up.
 */
export const QR_CREATES_PER_CONNECTION = 10;
export const QR_CREATE_WINDOW_SECONDS = 300;
/**
 * Codes waiting to be scanned on one companion, all connections together (one each at most). Past
 * it the oldest waiting code is dropped (its requester hears qr.expired): a new code always gets in.
 */
export const QR_MAX_PENDING = 1_000;
/** After 确认登录 the requester has this long to redeem. */
export const QR_REDEEM_WINDOW_SECONDS = 60;
/** The key algorithm, as WebCrypto names it; node:crypto uses RSA_PKCS1_OAEP_PADDING with sha256. */
export const QR_KEY_ALGORITHM = { name: "RSA-OAEP", hash: "SHA-256" } as const;

const QR_TEXT_PREFIX = "taxauth-qr:1:";
const ref = z.string().regex(/^[A-Za-z0-9_-]{22}$/, "二维码无效");
const fingerprint = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "二维码无效");

/** What the QR code says: `taxauth-qr:1:<ref>.<fingerprint>`. */
export function qrLoginText(qrRef: string, keyFingerprint: string): string {
  return `${QR_TEXT_PREFIX}${qrRef}.${keyFingerprint}`;
}

/** The reference and fingerprint in a scanned text, or null when it is not a taxauth QR login code. */
export function parseQrLoginText(text: string): { ref: string; fingerprint: string } | null {
  if (!text.startsWith(QR_TEXT_PREFIX)) return null;
  const [qrRef = "", keyFingerprint = ""] = text.slice(QR_TEXT_PREFIX.length).split(".");
  if (!ref.safeParse(qrRef).success || !fingerprint.safeParse(keyFingerprint).success) return null;
  return { ref: qrRef, fingerprint: keyFingerprint };
}

export const qrClientKindSchema = z.enum(["browser", "desktop"]);
export type QrClientKind = z.infer<typeof qrClientKindSchema>;
/** How the approver's screen names the kind of client that asks. */
export const QR_CLIENT_KIND_LABELS: Record<QrClientKind, string> = {
  browser: "浏览器扩展",
  desktop: "桌面客户端",
};

// --- The requester's side (popup: the /api/qr-login socket; desktop: the /desktop socket) ---

export const qrCreateRequestSchema = z.object({
  publicKey: z.string().min(200, "公钥格式不正确").max(1_200, "公钥格式不正确"),
});
export const qrCreatedSchema = z.object({
  ref,
  /** The text to draw as the QR code. */
  qrText: z.string(),
  /** The same, already drawn (SVG), for clients that show images. */
  qrSvg: z.string(),
  fingerprint,
  expiresIn: z.number().int().positive(),
  /** A random nonce encrypted to the public key; its plain value is the proof at redeem. */
  challenge: z.string(),
});
export type QrCreated = z.infer<typeof qrCreatedSchema>;

export const qrRedeemRequestSchema = z.object({
  ref,
  /** base64url of the decrypted challenge. */
  proof: z.string().min(1).max(128),
});
export const qrRedeemedSchema = z.object({
  person: personSummarySchema,
  /** The new session's token, encrypted to the requester's public key (base64). */
  sealedToken: z.string(),
  expiresAt: z.string(),
  idleTimeout: z.number().int(),
});
export type QrRedeemed = z.infer<typeof qrRedeemedSchema>;

/** Pushed to the requester as they happen. */
export const qrEventSchema = z.discriminatedUnion("event", [
  /** 扫描成功，请在扫码的设备上确认登录: who scanned, masked. */
  z.object({ event: z.literal("qr.scanned"), ref: z.string(), approverName: z.string() }),
  /** 确认登录: redeem now. */
  z.object({ event: z.literal("qr.confirmed"), ref: z.string() }),
  z.object({ event: z.literal("qr.cancelled"), ref: z.string() }),
  /** 二维码已过期: make a new one (刷新). */
  z.object({ event: z.literal("qr.expired"), ref: z.string() }),
]);
export type QrEvent = z.infer<typeof qrEventSchema>;

// --- The approver's side (browser: HTTP with the session token; desktop: the /desktop socket) ---

export const qrScanRequestSchema = z.object({ qrText: z.string().trim().min(1, "请扫描二维码").max(512) });
/** What the approver sees before choosing 确认登录 or 取消. */
export const qrScanResultSchema = z.object({
  ref,
  clientKind: qrClientKindSchema,
  clientName: z.string(),
  requestedAt: z.string(),
  expiresIn: z.number().int().nonnegative(),
});
export type QrScanResult = z.infer<typeof qrScanResultSchema>;
export const qrDecisionRequestSchema = z.object({ ref });

/** 手机端下载: the app's download address and its QR code (SVG). */
export const appDownloadResponseSchema = z.object({ appUrl: z.string(), appQrSvg: z.string() });
export type AppDownloadResponse = z.infer<typeof appDownloadResponseSchema>;

/** The requester-only socket of the browser extension's 扫码登录 view: ws://127.0.0.1:<port>/api/qr-login. */
export const QR_LOGIN_SOCKET_PATH = "/api/qr-login";

/** 扫码登录, the approver's HTTP side (the 扫一扫 page), and 手机端下载. */
export const qrLoginApi = {
  qrScan: endpoint({
    method: "POST",
    path: "/api/qr-login/scan",
    summary: "扫一扫: which client asks to log in with this QR text, and when",
    auth: true,
    body: qrScanRequestSchema,
    responses: { 200: qrScanResultSchema },
  }),
  qrConfirm: endpoint({
    method: "POST",
    path: "/api/qr-login/confirm",
    summary: "确认登录: the requester gets a session of the logged-in person",
    auth: true,
    body: qrDecisionRequestSchema,
    responses: { 204: null },
  }),
  qrCancel: endpoint({
    method: "POST",
    path: "/api/qr-login/cancel",
    summary: "取消",
    auth: true,
    body: qrDecisionRequestSchema,
    responses: { 204: null },
  }),
  appDownload: endpoint({
    method: "GET",
    path: "/api/app-download",
    summary: "手机端下载: the app's download address and its QR code",
    auth: false,
    responses: { 200: appDownloadResponseSchema },
  }),
};
