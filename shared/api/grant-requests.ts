import * as z from "zod";
import { documentTypeSchema, taxpayerIdSchema } from "../identity/schemas.js";
import { endpoint } from "./endpoint.js";
import { grantTermFields, permissionSchema, termTypeSchema, unitTinParamSchema, withTermCheck } from "./grants.js";
import { pageQuerySchema, pageSchema } from "./paging.js";

/** Contract of 申请授权: a registered person asks a unit for a grant; its managers approve or decline. */

/** Days a request waits for a decision before it is 已过期. */
export const GRANT_REQUEST_DAYS = 7;
/** Pending requests a person may have at once, all units together. */
export const GRANT_REQUEST_PENDING_MAX = 10;
/** Requests a person may make in a day (withdrawn ones count too). */
export const GRANT_REQUEST_DAILY_MAX = 20;
export const GRANT_REQUEST_TEXT_MAX = 200;

export const GRANT_REQUEST_STATES = ["待审批", "已批准", "已拒绝", "已过期", "已撤回"] as const;
export const grantRequestStateSchema = z.enum(GRANT_REQUEST_STATES);
export type GrantRequestState = z.infer<typeof grantRequestStateSchema>;

const shortText = (label: string) =>
  z.string().trim().max(GRANT_REQUEST_TEXT_MAX, `${label}不能超过${GRANT_REQUEST_TEXT_MAX}个字符`);

/** 申请授权: the unit by 纳税人识别号, the permission and term asked for, and a note for its managers. */
export const grantRequestCreateSchema = withTermCheck(
  z.object({
    tin: taxpayerIdSchema,
    ...grantTermFields,
    note: shortText("备注").default(""),
  }),
);
export type GrantRequestCreate = z.infer<typeof grantRequestCreateSchema>;

/** 批准: the permission and term the manager confirms (those asked for, or edited). */
export const grantRequestApproveSchema = withTermCheck(z.object(grantTermFields));
export type GrantRequestApprove = z.infer<typeof grantRequestApproveSchema>;

/** 拒绝: the reason the requester is shown. */
export const grantRequestDeclineSchema = z.object({
  reason: shortText("拒绝理由").min(1, "请填写拒绝理由"),
});

export const grantRequestSchema = z.object({
  id: z.string(),
  unit: z.object({ tin: z.string(), name: z.string() }),
  /** The managers see the full name; the document number stays masked. */
  requester: z.object({ name: z.string(), docType: documentTypeSchema, maskedDocNumber: z.string() }),
  permission: permissionSchema,
  termType: termTypeSchema,
  startDate: z.string(),
  endDate: z.string().nullable(),
  note: z.string(),
  state: grantRequestStateSchema,
  /** 拒绝理由, when 已拒绝. */
  reason: z.string().nullable(),
  createdAt: z.string(),
  /** When a pending request becomes 已过期 (ISO 8601). */
  expiresAt: z.string(),
  decidedAt: z.string().nullable(),
});
export type GrantRequestView = z.infer<typeof grantRequestSchema>;
export const grantRequestPageSchema = pageSchema(grantRequestSchema);

const unitRequestParamSchema = unitTinParamSchema.extend({ requestId: z.string().uuid() });
const myRequestParamSchema = z.object({ requestId: z.string().uuid() });

export const grantRequestsApi = {
  askGrant: endpoint({
    method: "POST",
    path: "/api/my/grant-requests",
    summary: "申请授权: asks a unit (by 纳税人识别号) for 办税权限 or 管理权限",
    auth: true,
    body: grantRequestCreateSchema,
    responses: { 200: grantRequestSchema },
  }),
  myGrantRequests: endpoint({
    method: "GET",
    path: "/api/my/grant-requests",
    summary: "The person's requests with their state, newest first; q searches 纳税人识别号 and 纳税人名称",
    auth: true,
    query: pageQuerySchema,
    responses: { 200: grantRequestPageSchema },
  }),
  withdrawGrantRequest: endpoint({
    method: "POST",
    path: "/api/my/grant-requests/:requestId/withdraw",
    summary: "撤回: the requester withdraws a pending request",
    auth: true,
    params: myRequestParamSchema,
    responses: { 200: grantRequestSchema },
  }),
  unitGrantRequests: endpoint({
    method: "GET",
    path: "/api/units/:tin/grant-requests",
    summary: "The unit's pending requests (待审批), oldest first, for its managers; q searches the requester's 姓名",
    auth: true,
    params: unitTinParamSchema,
    query: pageQuerySchema,
    responses: { 200: grantRequestPageSchema },
  }),
  approveGrantRequest: endpoint({
    method: "POST",
    path: "/api/units/:tin/grant-requests/:requestId/approve",
    summary: "批准: makes (or raises) the requester's grant with the confirmed permission and term",
    auth: true,
    params: unitRequestParamSchema,
    body: grantRequestApproveSchema,
    responses: { 200: grantRequestSchema },
  }),
  declineGrantRequest: endpoint({
    method: "POST",
    path: "/api/units/:tin/grant-requests/:requestId/decline",
    summary: "拒绝: declines a pending request with a reason",
    auth: true,
    params: unitRequestParamSchema,
    body: grantRequestDeclineSchema,
    responses: { 200: grantRequestSchema },
  }),
};
