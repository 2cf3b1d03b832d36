import * as z from "zod";
import {
  documentNumberSchema,
  documentTypeSchema,
  loginNameSchema,
  nationalitySchema,
  passwordSchema,
  personNameSchema,
  phoneSchema,
  withDocumentCheck,
} from "../identity/schemas.js";
import { endpoint } from "./endpoint.js";

/** Contract of the companion's HTTP API for accounts, used by the extension and the companion. */

/** The captcha a try must carry after a wrong password. */
export const captchaAnswerFields = {
  captchaId: z.string().min(1).max(64).optional(),
  captchaAnswer: z.string().min(1).max(16).optional(),
};

export const captchaResponseSchema = z.object({
  captchaId: z.string(),
  /** A PNG picture as a data: URL, ready for an <img>; the answer is never sent to the client. */
  image: z.string().startsWith("data:image/png;base64,"),
  expiresIn: z.number().int(),
  /** Only from a sandbox (`taxauth sandbox`), whose captchas all have one known answer. */
  sandbox: z.literal(true).optional(),
});
export type CaptchaResponse = z.infer<typeof captchaResponseSchema>;

export const identitySchema = z.object({
  docType: documentTypeSchema,
  docNumber: documentNumberSchema,
  name: personNameSchema,
});

export const registerVerifyRequestSchema = withDocumentCheck(
  identitySchema.extend({
    registrationCode: z
      .string()
      .trim()
      .regex(/^[0-9A-Za-z]{6}$/, "注册码为6位数字或字母")
      .transform((s) => s.toUpperCase()),
    nationality: nationalitySchema,
    /** Needed after a wrong code for the same document (whoever tried it). */
    ...captchaAnswerFields,
  }),
);
export const registerVerifyResponseSchema = z.object({
  /** Proves the hall code and identity were checked; needed to send the SMS and to finish. */
  registrationTicket: z.string(),
  expiresIn: z.number().int(),
});

export const smsPurposeSchema = z.enum(["register", "reset-password"]);
export const smsSendRequestSchema = z.object({
  purpose: smsPurposeSchema,
  ticket: z.string().min(1).max(128),
  /** Registration chooses the phone; a reset always goes to the bound phone. */
  phone: phoneSchema.optional(),
});
export const smsSendResponseSchema = z.object({
  /** The number typed (registration); null for a reset, which never says which phone, or whether there is one. */
  maskedPhone: z.string().nullable(),
  resendAfter: z.number().int(),
});

export const smsCodeSchema = z
  .string()
  .trim()
  .regex(/^\d{6}$/, "短信验证码为6位数字");

export const registerCompleteRequestSchema = z.object({
  registrationTicket: z.string().min(1).max(128),
  loginName: loginNameSchema,
  password: passwordSchema,
  phone: phoneSchema,
  smsCode: smsCodeSchema,
});

export const personSummarySchema = z.object({
  id: z.string(),
  maskedName: z.string(),
  loginName: z.string(),
  docType: documentTypeSchema,
  maskedDocNumber: z.string(),
  maskedPhone: z.string().nullable(),
});
export type PersonSummary = z.infer<typeof personSummarySchema>;

export const registerCompleteResponseSchema = z.object({ person: personSummarySchema });

export const loginRequestSchema = z.object({
  /** 手机号, 证件号码 (居民身份证 only) or 登录名. */
  account: z.string().trim().min(1, "请输入账号").max(64),
  password: z.string().min(1, "请输入密码").max(64),
  ...captchaAnswerFields,
});
export const loginResponseSchema = z.object({
  token: z.string(),
  person: personSummarySchema,
  idleTimeout: z.number().int(),
  expiresAt: z.string(),
  /**
   * The password is a one-time one from the hall: the session may only change it (changePassword),
   * read itself and log out; everything else answers PASSWORD_CHANGE_REQUIRED.
   */
  passwordChangeRequired: z.boolean(),
});

export const sessionResponseSchema = z.object({
  person: personSummarySchema,
  passwordChangeRequired: z.boolean(),
});

/** 修改密码: the old password (a captcha after a wrong one), the new one by the registration rules. */
export const passwordChangeRequestSchema = z
  .object({
    oldPassword: z.string().min(1, "请输入原密码").max(64),
    newPassword: passwordSchema,
    ...captchaAnswerFields,
  })
  .refine((request) => request.newPassword !== request.oldPassword, {
    path: ["newPassword"],
    message: "新密码不能与原密码相同",
  });

export const forgotStartRequestSchema = withDocumentCheck(
  identitySchema.extend({
    captchaId: z.string().min(1).max(64),
    captchaAnswer: z.string().min(1).max(16),
  }),
);
export const forgotStartResponseSchema = z.object({
  resetTicket: z.string(),
  expiresIn: z.number().int(),
  /** The start call sent the first SMS: seconds before another may be asked for. */
  resendAfter: z.number().int(),
});
export const forgotCompleteRequestSchema = z.object({
  resetTicket: z.string().min(1).max(128),
  smsCode: smsCodeSchema,
  newPassword: passwordSchema,
});

export const healthSchema = z.object({
  status: z.enum(["ok", "error"]),
  /** The companion's version (its package's). */
  version: z.string(),
  /** What it speaks (shared/protocol-version.ts): a client built for another one must not go on. */
  protocolVersion: z.number().int().positive(),
  db: z.string(),
  keychain: z.string(),
  /** Only on a sandbox (`taxauth sandbox`): demo data, a known captcha answer, short timers. */
  sandbox: z.literal(true).optional(),
});

export type LoginRequest = z.infer<typeof loginRequestSchema>;
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/**
 * 人脸识别认证注册 (居民身份证 only): the companion picks the moves (活体检测动作) for each attempt,
 * the page asks for them in turn and sends the photos; then the same step 2 as the hall code.
 * Directions are the person's own: 向左转头 turns the face towards their left shoulder.
 */
export const faceStepSchema = z.enum(["turn-left", "turn-right", "tilt-left", "tilt-right"]);
export type FaceStep = z.infer<typeof faceStepSchema>;
export const faceChallengeResponseSchema = z.object({
  challengeId: z.string(),
  /** The moves to make, in this order: both turns and one tilt. */
  steps: z.array(faceStepSchema),
  /** Seconds the challenge may be answered in, once. */
  expiresIn: z.number().int(),
});
export const FACE_FRAMES_MIN = 3;
export const FACE_FRAMES_MAX = 8;
/** One frame, base64 JPEG/PNG/WebP: a 640×480 camera frame is ~50 KB as JPEG. */
const faceFrameSchema = z.string().min(100, "照片无效").max(700_000, "照片过大");
const faceIdentityFields = z.object({
  docType: z.literal("居民身份证", { message: "人脸识别认证注册仅支持居民身份证" }),
  docNumber: documentNumberSchema,
  name: personNameSchema,
});
export const faceIdentitySchema = withDocumentCheck(faceIdentityFields);
export const registerFaceRequestSchema = withDocumentCheck(
  faceIdentityFields.extend({
    /** The challenge these frames answer (registerFaceChallenge), used up by this try. */
    challengeId: z.string().min(1, "请重新开始人脸识别").max(64),
    /** The camera frames in the order taken, through all the challenge's moves. */
    frames: z
      .array(faceFrameSchema)
      .min(FACE_FRAMES_MIN, `请按提示完成动作，至少需要${FACE_FRAMES_MIN}张照片`)
      .max(FACE_FRAMES_MAX),
    /** Needed after a failed check of the same 居民身份证 that day (whoever tried it). */
    ...captchaAnswerFields,
  }),
);
/** A passed face check: the same ticket as a hall code's, for the SMS and step 2. */
export const registerFaceResponseSchema = registerVerifyResponseSchema;

const noBody = { 204: null } as const;

/** The accounts endpoints: registration, login and session, 忘记密码, captcha and health. */
export const accountsApi = {
  health: endpoint({
    method: "GET",
    path: "/healthz",
    summary:
      "Liveness with real checks of the database and the OS keychain (503 when one fails), and the companion's version and protocol version",
    auth: false,
    responses: { 200: healthSchema, 503: healthSchema },
  }),
  alive: endpoint({
    method: "GET",
    path: "/livez",
    summary:
      "Liveness only: the companion answers, nothing is checked (the extension's open pages ask every few seconds)",
    auth: false,
    quiet: true,
    responses: noBody,
  }),
  captcha: endpoint({
    method: "GET",
    path: "/api/captcha",
    summary: "A new captcha image; the answer stays on the companion",
    auth: false,
    responses: { 200: captchaResponseSchema },
  }),
  registerVerify: endpoint({
    method: "POST",
    path: "/api/register/verify",
    summary: "大厅注册码注册, step 1: the hall code and the identity it was issued for",
    auth: false,
    body: registerVerifyRequestSchema,
    responses: { 200: registerVerifyResponseSchema },
  }),
  registerFaceChallenge: endpoint({
    method: "POST",
    path: "/api/register/face/challenge",
    summary: "人脸识别认证注册: the random moves one attempt must show, in order (single use, a few minutes)",
    auth: false,
    responses: { 200: faceChallengeResponseSchema },
  }),
  registerFace: endpoint({
    method: "POST",
    path: "/api/register/face",
    summary:
      "人脸识别认证注册, step 1: camera frames showing the challenge's moves in order, compared with the portrait authority",
    auth: false,
    body: registerFaceRequestSchema,
    responses: { 200: registerFaceResponseSchema },
    // Camera frames are larger than any other body: up to FACE_FRAMES_MAX of ~700 KB base64 each.
    bodyLimit: FACE_FRAMES_MAX * 720_000,
  }),
  sendSms: endpoint({
    method: "POST",
    path: "/api/sms/send",
    summary: "Sends (or resends) the SMS code of a registration or a password reset",
    auth: false,
    body: smsSendRequestSchema,
    responses: { 200: smsSendResponseSchema },
  }),
  registerComplete: endpoint({
    method: "POST",
    path: "/api/register/complete",
    summary: "Registration step 2: 登录名, 密码, 手机号 and its SMS code",
    auth: false,
    body: registerCompleteRequestSchema,
    responses: { 200: registerCompleteResponseSchema },
  }),
  login: endpoint({
    method: "POST",
    path: "/api/login",
    summary: "账号密码登录 with 手机号, 证件号码 or 登录名 (captcha after a failure)",
    auth: false,
    body: loginRequestSchema,
    responses: { 200: loginResponseSchema },
  }),
  logout: endpoint({
    method: "POST",
    path: "/api/logout",
    summary: "Ends the session",
    auth: true,
    beforePasswordChange: true,
    responses: noBody,
  }),
  session: endpoint({
    method: "GET",
    path: "/api/session",
    summary: "The logged-in person, and whether the password must be changed first",
    auth: true,
    beforePasswordChange: true,
    responses: { 200: sessionResponseSchema },
  }),
  changePassword: endpoint({
    method: "POST",
    path: "/api/password/change",
    summary:
      "修改密码 (安全中心, or the one-time password from the hall): the old password and a new one; the person's other sessions end",
    auth: true,
    beforePasswordChange: true,
    body: passwordChangeRequestSchema,
    responses: noBody,
  }),
  forgotStart: endpoint({
    method: "POST",
    path: "/api/password/forgot/start",
    summary: "忘记密码, step 1: identity and captcha; sends the SMS code to the bound phone",
    auth: false,
    body: forgotStartRequestSchema,
    responses: { 200: forgotStartResponseSchema },
  }),
  forgotComplete: endpoint({
    method: "POST",
    path: "/api/password/forgot/complete",
    summary: "忘记密码, step 2: the SMS code and the new password; ends sessions and clears the lock",
    auth: false,
    body: forgotCompleteRequestSchema,
    responses: noBody,
  }),
};
