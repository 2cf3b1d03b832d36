import { z } from "zod";
import { captchaResponseSchema, loginRequestSchema, personSummarySchema } from "../api/accounts.js";
import { unitSchema } from "../api/grants.js";
import { errorCodeSchema } from "../errors.js";
import { taxpayerIdSchema } from "../identity/schemas.js";

/**
 * The desktop filing socket, ws://127.0.0.1:<port>/desktop: every frame is one JSON object.
 * Requests carry an `id` that their reply echoes; server events carry none. See
 * docs/desktop-protocol.md for every message with an example.
 */

export const DESKTOP_PATH = "/desktop";
export const MAX_FRAME_BYTES = 16 * 1024;

const requestId = z.string().min(1).max(64);
const clientName = z.string().trim().min(1, "请填写客户端名称").max(64, "客户端名称不能超过64个字符");

export const desktopRequestSchema = z.discriminatedUnion("type", [
  /** An unpaired client asks to pair; it shows the code it gets back to the person. */
  z.object({ id: requestId, type: z.literal("pair.request"), clientName }),
  /** A paired client proves itself on each new connection with the token it got when approved. */
  z.object({ id: requestId, type: z.literal("hello"), clientToken: z.string().min(1).max(128) }),
  z.object({ id: requestId, type: z.literal("captcha") }),
  z.object({ id: requestId, type: z.literal("login"), ...loginRequestSchema.shape }),
  z.object({ id: requestId, type: z.literal("logout") }),
  z.object({ id: requestId, type: z.literal("units.list") }),
  /** 添加: a unit by its 纳税人识别号, appended to the person's 单位管理 list. */
  z.object({ id: requestId, type: z.literal("units.add"), tin: taxpayerIdSchema }),
  z.object({ id: requestId, type: z.literal("ping") }),
]);
export type DesktopRequest = z.infer<typeof desktopRequestSchema>;
export type DesktopRequestType = DesktopRequest["type"];

/** 单位管理 row: the seed's columns. */
export const desktopUnitSchema = unitSchema.extend({
  /** How the person may enter: by grant/office directly, or with the 申报密码. */
  access: z.enum(["direct", "password"]),
});

export const unitsListResultSchema = z.object({
  units: z.array(desktopUnitSchema),
  /** The seed's totals line: 单位总数, 综合所得申报情况 n/m, 经营所得预缴申报情况 n/m. */
  totals: z.object({ count: z.number().int(), comprehensiveFiled: z.number().int(), businessFiled: z.number().int() }),
});

export const desktopResultSchemas = {
  "pair.request": z.object({ code: z.string().regex(/^\d{6}$/), expiresIn: z.number().int() }),
  hello: z.object({ clientName, person: personSummarySchema.nullable() }),
  captcha: captchaResponseSchema,
  login: z.object({ person: personSummarySchema }),
  logout: z.object({}),
  "units.list": unitsListResultSchema,
  "units.add": unitsListResultSchema,
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
  z.object({ event: z.literal("client.revoked") }),
  z.object({ event: z.literal("session.ended"), reason: z.string() }),
]);
export type DesktopEvent = z.infer<typeof desktopEventSchema>;
