import * as z from "zod";
import { captchaResponseSchema, loginRequestSchema, personSummarySchema } from "../api/accounts.js";
import { grantRequestCreateSchema, grantRequestSchema } from "../api/grant-requests.js";
import { unitSchema } from "../api/grants.js";
import { pageQueryFields, pageSchema } from "../api/paging.js";
import { errorCodeSchema } from "../errors.js";
import { taxpayerIdSchema } from "../identity/schemas.js";
import { PROTOCOL_VERSION } from "../protocol-version.js";
import {
  qrCreatedSchema,
  qrCreateRequestSchema,
  qrDecisionRequestSchema,
  qrEventSchema,
  qrRedeemedSchema,
  qrRedeemRequestSchema,
  qrScanRequestSchema,
  qrScanResultSchema,
} from "../qr-login/contract.js";
import { clientNameSchema } from "./client-name.js";

/**
 * The desktop filing socket, ws://127.0.0.1:<port>/desktop: every frame is one JSON object.
 * Requests carry an `id` that their reply echoes; server events carry none. See
 * docs/desktop-protocol.md for every message with an example.
 */

export const DESKTOP_PATH = "/desktop";
/** The protocol's version, answered by `hello`: the companion's one (shared/protocol-version.ts). */
export const DESKTOP_PROTOCOL_VERSION = PROTOCOL_VERSION;
export const MAX_FRAME_BYTES = 16 * 1024;

/**
 * The rate limit of one desktop connection, a token bucket: bursts of DESKTOP_RATE_BURST frames,
 * refilled at DESKTOP_RATE_PER_SECOND. A frame over it is refused with RATE_LIMITED; after
 * DESKTOP_MAX_RATE_VIOLATIONS of those the connection is closed (4429).
 */
export const DESKTOP_RATE_BURST = 40;
export const DESKTOP_RATE_PER_SECOND = 20;
export const DESKTOP_MAX_RATE_VIOLATIONS = 50;
/** A desktop connection without a frame from its client this long is closed (4408); pongs do not count. */
export const DESKTOP_IDLE_TIMEOUT_MS = 10 * 60_000;
/** The companion pings each desktop connection this often; one that missed the last pong is dropped. */
export const DESKTOP_HEARTBEAT_MS = 30_000;
/**
 * Pairing requests waiting for the person, all connections together (one each at most). Past it,
 * the oldest is pushed out (`pair.expired`): a new request always gets in.
 */
export const PAIRING_MAX_PENDING = 1_000;
/** `pair.request` on one connection, at most this many a minute (RATE_LIMITED past it). */
export const PAIR_REQUESTS_PER_MINUTE = 3;
/** The browser's 扫码登录 socket is closed (4429) after more frames than this in a minute… */
export const QR_SOCKET_MESSAGES_PER_MINUTE = 60;
/** …and (4408) after this long without a frame. */
export const QR_SOCKET_IDLE_TIMEOUT_MS = 5 * 60_000;

const requestId = z.string().min(1).max(64);

const ping = z.object({ id: requestId, type: z.literal("ping") });
/** 扫码登录, the requester's side: a QR session for this client's public key, then the token. */
const qrCreate = z.object({ id: requestId, type: z.literal("qr.create"), ...qrCreateRequestSchema.shape });
const qrRedeem = z.object({ id: requestId, type: z.literal("qr.redeem"), ...qrRedeemRequestSchema.shape });

export const desktopRequestSchema = z.discriminatedUnion("type", [
  /**
   * An unpaired client asks to pair; it shows the code it gets back, which the person types in the
   * popup. The name is cleaned of controls and invisible characters (client-name.ts).
   */
  z.object({ id: requestId, type: z.literal("pair.request"), clientName: clientNameSchema }),
  /** A paired client proves itself on each new connection with the token it got when approved. */
  z.object({ id: requestId, type: z.literal("hello"), clientToken: z.string().min(1).max(128) }),
  z.object({ id: requestId, type: z.literal("captcha") }),
  z.object({ id: requestId, type: z.literal("login"), ...loginRequestSchema.shape }),
  z.object({ id: requestId, type: z.literal("logout") }),
  /** 单位管理, a page at a time in the person's order; q (查询) finds 纳税人识别号 or 纳税人名称. */
  z.object({ id: requestId, type: z.literal("units.list"), ...pageQueryFields }),
  /** 添加: a unit by its 纳税人识别号, appended to the person's 单位管理 list. */
  z.object({ id: requestId, type: z.literal("units.add"), tin: taxpayerIdSchema }),
  /**
   * 自定义排序: moves one unit of the list a row up (▲) or down (▼), or to a 1-based position in
   * the whole list, for this login only (a new login starts from the saved default order).
   */
  z.object({
    id: requestId,
    type: z.literal("units.order"),
    tin: taxpayerIdSchema,
    to: z.union([z.enum(["up", "down"]), z.number().int().min(1, "位置从1开始")]),
  }),
  /** 设定为默认排序: this login's order becomes the person's default, the one each new login starts from. */
  z.object({ id: requestId, type: z.literal("units.order.save") }),
  /** 恢复默认排序: this login drops its own order and shows the saved default again. */
  z.object({ id: requestId, type: z.literal("units.order.reset") }),
  /** 进入: 单位办税验证. Direct with a grant or office; otherwise the 申报密码 (and the captcha after a failure). */
  z.object({
    id: requestId,
    type: z.literal("unit.enter"),
    tin: taxpayerIdSchema,
    declarationPassword: z.string().min(1).max(64).optional(),
    captchaId: z.string().min(1).max(64).optional(),
    captchaAnswer: z.string().min(1).max(16).optional(),
  }),
  /** 本市单位 may use a CA certificate instead: first a fresh challenge to sign… */
  z.object({ id: requestId, type: z.literal("unit.challenge"), tin: taxpayerIdSchema }),
  /** …then the certificate chain (PEM, unit certificate first) and the signature of the challenge. */
  z.object({
    id: requestId,
    type: z.literal("unit.enter.ca"),
    tin: taxpayerIdSchema,
    challenge: z.string().min(1).max(128),
    certificates: z.string().min(1).max(12_000),
    /** base64 signature (SHA-256, the certificate's key) of "taxauth-ca-entry\n<tin>\n<challenge>". */
    signature: z.string().min(1).max(2_048),
  }),
  z.object({ id: requestId, type: z.literal("unit.leave"), tin: taxpayerIdSchema }),
  /** 忘记申报密码: where the legal rep or finance manager can reset it. */
  z.object({ id: requestId, type: z.literal("declaration.forgot"), tin: taxpayerIdSchema }),
  /** 申请授权: asks a unit for 办税权限 or 管理权限, as the popup does (checked by the same rules). */
  z.object({ id: requestId, type: z.literal("grant.request"), ...grantRequestCreateSchema.shape }),
  qrCreate,
  qrRedeem,
  /** 扫码登录, the approver's side (a logged-in client): who asks, then 确认登录 or 取消. */
  z.object({ id: requestId, type: z.literal("qr.scan"), ...qrScanRequestSchema.shape }),
  z.object({ id: requestId, type: z.literal("qr.confirm"), ...qrDecisionRequestSchema.shape }),
  z.object({ id: requestId, type: z.literal("qr.cancel"), ...qrDecisionRequestSchema.shape }),
  ping,
]);
export type DesktopRequest = z.infer<typeof desktopRequestSchema>;
export type DesktopRequestType = DesktopRequest["type"];

/** 单位管理 row: the seed's columns. */
export const desktopUnitSchema = unitSchema.extend({
  /** How the person may enter: by grant/office directly, or with the 申报密码. */
  access: z.enum(["direct", "password"]),
});

export const unitsListResultSchema = pageSchema(desktopUnitSchema).extend({
  /** The seed's totals line, of the whole list: 单位总数, 综合所得申报情况 n/m, 经营所得预缴申报情况 n/m. */
  totals: z.object({ count: z.number().int(), comprehensiveFiled: z.number().int(), businessFiled: z.number().int() }),
});

/** Where a unit now stands in the person's list (1-based). */
const unitPlacedSchema = z.object({ tin: z.string(), position: z.number().int() });

export const desktopResultSchemas = {
  "pair.request": z.object({ code: z.string().regex(/^\d{6}$/), expiresIn: z.number().int() }),
  hello: z.object({
    clientName: clientNameSchema,
    person: personSummarySchema.nullable(),
    /** DESKTOP_PROTOCOL_VERSION of the companion. */
    protocolVersion: z.number().int().positive(),
  }),
  captcha: captchaResponseSchema,
  login: z.object({ person: personSummarySchema }),
  logout: z.object({}),
  "units.list": unitsListResultSchema,
  "units.add": unitPlacedSchema.extend({ unit: desktopUnitSchema }),
  "units.order": unitPlacedSchema,
  "units.order.save": z.object({}),
  "units.order.reset": z.object({}),
  "unit.enter": z.object({ tin: z.string(), name: z.string(), via: z.enum(["office", "grant", "password"]) }),
  /** `tin` is the normalised 纳税人识别号 that goes into the signed text. */
  "unit.challenge": z.object({ tin: z.string(), challenge: z.string(), expiresIn: z.number().int() }),
  "unit.enter.ca": z.object({ tin: z.string(), name: z.string(), via: z.literal("ca") }),
  "unit.leave": z.object({}),
  "declaration.forgot": z.object({
    notice: z.string(),
    webUrl: z.string(),
    appUrl: z.string(),
    /** The app-download QR code as SVG, for clients that show images. */
    appQrSvg: z.string(),
  }),
  "grant.request": grantRequestSchema,
  "qr.create": qrCreatedSchema,
  "qr.redeem": qrRedeemedSchema,
  "qr.scan": qrScanResultSchema,
  "qr.confirm": z.object({}),
  "qr.cancel": z.object({}),
  ping: z.object({}),
} satisfies Record<DesktopRequestType, z.ZodType>;

export type DesktopResult<T extends DesktopRequestType> = z.infer<(typeof desktopResultSchemas)[T]>;

export const desktopReplySchema = z.union([
  z.object({ id: z.string(), ok: z.literal(true), result: z.unknown() }),
  z.object({
    id: z.string().nullable(),
    ok: z.literal(false),
    code: errorCodeSchema,
    message: z.string(),
    retryAfter: z.number().int().optional(),
    captchaRequired: z.boolean().optional(),
    attemptsLeft: z.number().int().optional(),
    fields: z.record(z.string(), z.string()).optional(),
  }),
]);
export type DesktopReply = z.infer<typeof desktopReplySchema>;

export const desktopEventSchema = z.discriminatedUnion("event", [
  z.object({ event: z.literal("pair.approved"), clientToken: z.string() }),
  z.object({ event: z.literal("pair.denied") }),
  /** Nobody answered within five minutes, or PAIRING_MAX_PENDING newer requests pushed this one out. */
  z.object({ event: z.literal("pair.expired") }),
  z.object({ event: z.literal("client.revoked") }),
  z.object({ event: z.literal("session.ended"), reason: z.string() }),
  /** The unit session ended at once: grant revoked or expired, office left, password reset. */
  z.object({ event: z.literal("unit.ended"), tin: z.string(), reason: z.string() }),
  /**
   * In an office, the shared database stopped answering: requests are refused with
   * DATABASE_UNAVAILABLE until `database.restored`; logins and unit sessions are kept.
   */
  z.object({ event: z.literal("database.unavailable"), message: z.string() }),
  z.object({ event: z.literal("database.restored") }),
  ...qrEventSchema.options,
]);
export type DesktopEvent = z.infer<typeof desktopEventSchema>;

/**
 * The browser extension's 扫码登录 socket (ws://127.0.0.1:<port>/api/qr-login) speaks the same
 * frames as this one, limited to the requester's side of 扫码登录.
 */
export const qrSocketRequestSchema = z.discriminatedUnion("type", [qrCreate, qrRedeem, ping]);
export type QrSocketRequest = z.infer<typeof qrSocketRequestSchema>;
