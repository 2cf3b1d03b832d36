import * as z from "zod";
import { phoneSchema } from "../identity/schemas.js";
import { qrClientKindSchema } from "../qr-login/contract.js";
import { captchaAnswerFields, smsCodeSchema, smsSendResponseSchema } from "./accounts.js";
import { endpoint } from "./endpoint.js";
import { pageQuerySchema, pageSchema } from "./paging.js";

/**
 * Contract of 安全中心, the logged-in person's own page: the bound phone (绑定 / 更换, an SMS code to
 * the new number, a notice to the old one), 最近登录, and 修改密码 (accountsApi.changePassword).
 * The paired desktop clients are desktopApi.desktopClients.
 */

/** 密码登录 or 扫码登录. */
export const loginMethodSchema = z.enum(["password", "qr"]);
export type LoginMethod = z.infer<typeof loginMethodSchema>;

/** How a login is shown: this very session, another one still live, or one that has ended. */
export const loginStateSchema = z.enum(["current", "live", "ended"]);

export const loginRecordSchema = z.object({
  id: z.string(),
  /** ISO 8601 instant. */
  at: z.string(),
  method: loginMethodSchema,
  /** The client the session was opened on: the browser extension (its browser) or a paired desktop client. */
  clientKind: qrClientKindSchema,
  clientName: z.string(),
  state: loginStateSchema,
});
export type LoginRecord = z.infer<typeof loginRecordSchema>;

export const securityOverviewSchema = z.object({
  /** Masked; null when no phone is bound (then 忘记密码 and 重置申报密码 cannot text the person). */
  maskedPhone: z.string().nullable(),
  /** The newest login other than this session's (normally the one before it): who else got in, and how. */
  previousLogin: loginRecordSchema.nullable(),
});

export const bindPhoneSmsRequestSchema = z.object({ phone: phoneSchema });

/**
 * 绑定手机 / 更换手机: the new number, its SMS code, and the login password (a session left open is
 * not enough to take the account over by its phone); a captcha after a wrong password.
 */
export const bindPhoneRequestSchema = z.object({
  phone: phoneSchema,
  smsCode: smsCodeSchema,
  password: z.string().min(1, "请输入登录密码").max(64),
  ...captchaAnswerFields,
});
export const bindPhoneResponseSchema = z.object({ maskedPhone: z.string() });

export const securityApi = {
  securityOverview: endpoint({
    method: "GET",
    path: "/api/security",
    summary: "安全中心: the bound phone (masked, or none) and the login before this one",
    auth: true,
    responses: { 200: securityOverviewSchema },
  }),
  securityLogins: endpoint({
    method: "GET",
    path: "/api/security/logins",
    summary:
      "最近登录, newest first (the last 50 are kept): when, 密码 or 扫码登录, on which client; q searches the client",
    auth: true,
    query: pageQuerySchema,
    responses: { 200: pageSchema(loginRecordSchema) },
  }),
  bindPhoneSms: endpoint({
    method: "POST",
    path: "/api/security/phone/sms",
    summary: "Sends the SMS code for 绑定手机 / 更换手机 to the new number (not one bound to any account)",
    auth: true,
    body: bindPhoneSmsRequestSchema,
    responses: { 200: smsSendResponseSchema },
  }),
  bindPhone: endpoint({
    method: "POST",
    path: "/api/security/phone",
    summary: "绑定手机 / 更换手机: the new number, its SMS code and the login password; the old number is told",
    auth: true,
    body: bindPhoneRequestSchema,
    responses: { 200: bindPhoneResponseSchema },
  }),
};
