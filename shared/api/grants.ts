import * as z from "zod";
import { calendarDateSchema } from "../dates.js";
import {
  documentNumberSchema,
  documentTypeSchema,
  personNameSchema,
  taxpayerIdSchema,
  withDocumentCheck,
} from "../identity/schemas.js";
import { endpoint } from "./endpoint.js";
import { pageQueryFields, pageQuerySchema, pageSchema } from "./paging.js";

/** Contract of 企业办税权限 (units, grants, history) between the extension and the companion. */

export const PERMISSIONS = ["办税权限", "管理权限"] as const;
export const permissionSchema = z.enum(PERMISSIONS, { message: "请选择权限类型" });
export type Permission = z.infer<typeof permissionSchema>;

export const TERM_TYPES = ["长期", "定期"] as const;
export const termTypeSchema = z.enum(TERM_TYPES, { message: "请选择授权期限类型" });
export type TermType = z.infer<typeof termTypeSchema>;

export const GRANT_STATUSES = ["未生效", "有效", "已过期", "已解除(单位)", "已解除(本人)"] as const;
export const grantStatusSchema = z.enum(GRANT_STATUSES);
export type GrantStatus = z.infer<typeof grantStatusSchema>;

/** 有效 or 未生效: the grant still stands and can be changed, revoked or renounced. */
export const isLiveStatus = (status: GrantStatus): boolean => status === "有效" || status === "未生效";

/** How a person manages a unit: by office (tax registration) or by a 管理权限 grant. */
export const MANAGER_ROLES = ["法定代表人", "财务负责人", "管理权限"] as const;
export const managerRoleSchema = z.enum(MANAGER_ROLES);
export type ManagerRole = z.infer<typeof managerRoleSchema>;

export const FILING_STATUSES = {
  departmentFiling: ["未备案", "已启用"],
  comprehensiveIncome: ["待申报", "已申报"],
  businessIncome: ["", "待申报", "已申报"],
} as const;

export const unitSchema = z.object({
  tin: z.string(),
  name: z.string(),
  departments: z.array(z.string()),
  /** 分部门申报, 综合所得申报, 经营所得 as in the seed's 单位管理 table. */
  departmentFiling: z.enum(FILING_STATUSES.departmentFiling),
  comprehensiveIncome: z.enum(FILING_STATUSES.comprehensiveIncome),
  businessIncome: z.enum(FILING_STATUSES.businessIncome),
});
export type Unit = z.infer<typeof unitSchema>;

/**
 * 长期: 起 only; 定期: 起 and 止, 止 ≥ 起. Calendar dates in Asia/Shanghai, inclusive. One rule for
 * the form's live feedback and the companion.
 */
export function checkGrantTerm(term: { termType: TermType; startDate: string; endDate?: string | null }): {
  path: "endDate";
  message: string;
} | null {
  if (term.termType === "定期") {
    if (!term.endDate) return { path: "endDate", message: "定期授权需要填写授权期限止" };
    if (term.endDate < term.startDate) return { path: "endDate", message: "授权期限止不能早于授权期限起" };
  } else if (term.endDate) {
    return { path: "endDate", message: "长期授权只填写授权期限起" };
  }
  return null;
}

export const grantTermFields = {
  permission: permissionSchema,
  termType: termTypeSchema,
  startDate: calendarDateSchema,
  endDate: calendarDateSchema.nullish(),
};

export function withTermCheck<T extends z.ZodType<{ termType: TermType; startDate: string; endDate?: string | null }>>(
  schema: T,
): T {
  return schema.superRefine((value, ctx) => {
    const problem = checkGrantTerm(value as { termType: TermType; startDate: string; endDate?: string | null });
    if (problem) ctx.addIssue({ code: "custom", path: [problem.path], message: problem.message });
  });
}

/** 新增授权: the grantee is named by 证件类型 + 证件号码 + 姓名, which must match a registered person. */
export const grantCreateRequestSchema = withTermCheck(
  withDocumentCheck(
    z.object({
      docType: documentTypeSchema,
      docNumber: documentNumberSchema,
      name: personNameSchema,
      ...grantTermFields,
    }),
  ),
);
export type GrantCreateRequest = z.infer<typeof grantCreateRequestSchema>;

/** 变更: permission and term; the grantee stays. */
export const grantChangeRequestSchema = withTermCheck(z.object(grantTermFields));
export type GrantChangeRequest = z.infer<typeof grantChangeRequestSchema>;

export const unitTinParamSchema = z.object({ tin: taxpayerIdSchema });
export const grantParamSchema = z.object({ tin: taxpayerIdSchema, grantId: z.string().uuid() });
export const myGrantParamSchema = z.object({ grantId: z.string().uuid() });

/** A person of the unit as its managers see them: the full name, the document number masked. */
export const unitPersonSchema = z.object({
  name: z.string(),
  docType: documentTypeSchema,
  maskedDocNumber: z.string(),
});

export const grantViewSchema = z.object({
  id: z.string(),
  unitTin: z.string(),
  grantee: unitPersonSchema,
  permission: permissionSchema,
  termType: termTypeSchema,
  startDate: z.string(),
  endDate: z.string().nullable(),
  status: grantStatusSchema,
  grantedBy: z.object({ name: z.string(), role: managerRoleSchema }),
  /** The 管理权限 grant this grant was made under has ended: a manager should look at it (需复核). */
  needsReview: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type GrantView = z.infer<typeof grantViewSchema>;

export const managedUnitSchema = z.object({
  tin: z.string(),
  name: z.string(),
  roles: z.array(managerRoleSchema),
  grantCount: z.number().int(),
  reviewCount: z.number().int(),
});
export const managedUnitsResponseSchema = pageSchema(managedUnitSchema);
export type ManagedUnit = z.infer<typeof managedUnitSchema>;

export const unitDetailResponseSchema = z.object({
  unit: unitSchema,
  /** The viewer's own roles at this unit. */
  roles: z.array(managerRoleSchema),
  /** Set for a 管理权限 holder: the last date they may grant to (null: 长期). */
  grantLimit: z.object({ endDate: z.string().nullable() }).nullable(),
  /** The viewer's own grant id, which a 管理权限 holder may not change. */
  ownGrantId: z.string().nullable(),
  /** The unit's live grants (有效 and 未生效: 已授权（n）) and those 需复核; its grants are paged. */
  liveGrantCount: z.number().int(),
  reviewCount: z.number().int(),
});
export type UnitDetailResponse = z.infer<typeof unitDetailResponseSchema>;

export const HISTORY_ACTIONS = [
  "新增授权",
  "变更",
  "解除授权",
  "本人解除",
  "本人删除",
  "复核保留",
  "申请授权",
  "批准申请",
  "拒绝申请",
  "撤回申请",
] as const;
export const historyEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.object({ name: z.string(), role: z.string() }),
  action: z.enum(HISTORY_ACTIONS),
  /** The grant's id; for the steps of a 申请授权 (申请, 批准, 拒绝, 撤回), the request's. */
  grantId: z.string(),
  grantee: z.string(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
});
/** Newest first. */
export const historyResponseSchema = pageSchema(historyEntrySchema);
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

const personFilterSchema = z.string().trim().max(64, "姓名不能超过64个字符").optional();

/**
 * The history's filters, all optional and combined: 起止日期 (Asia/Shanghai calendar dates,
 * inclusive), 操作人 and 被授权人 by their whole 姓名, 操作类型.
 */
export const historyFilterFields = {
  from: calendarDateSchema.optional(),
  to: calendarDateSchema.optional(),
  actor: personFilterSchema,
  grantee: personFilterSchema,
  action: z.enum(HISTORY_ACTIONS, { message: "操作类型无效" }).optional(),
};

/** 止 not before 起, for the history's filters wherever they are read. */
export function withDateRangeCheck<T extends z.ZodType<{ from?: string; to?: string }>>(schema: T): T {
  return schema.superRefine((value, ctx) => {
    const { from, to } = value as { from?: string; to?: string };
    if (from && to && to < from) ctx.addIssue({ code: "custom", path: ["to"], message: "结束日期不能早于开始日期" });
  });
}

export const historyFilterSchema = withDateRangeCheck(z.object(historyFilterFields));
export type HistoryFilter = z.output<typeof historyFilterSchema>;
export const historyQuerySchema = withDateRangeCheck(z.object({ ...pageQueryFields, ...historyFilterFields }));
export type HistoryQuery = z.output<typeof historyQuerySchema>;

/** A person's own recent event: a login, a change to a grant they hold, or to their account. */
export const MY_EVENT_KINDS = ["登录", "授权", "账户"] as const;
export const myEventSchema = z.object({
  /** Stable within the list (the cursor names it). */
  id: z.string(),
  /** ISO 8601 instant. */
  at: z.string(),
  kind: z.enum(MY_EVENT_KINDS),
  /** 密码登录 / 扫码登录, or the history's action (新增授权, 变更, 修改密码…). */
  action: z.string(),
  /** The unit of a grant's event. */
  unit: z.object({ tin: z.string(), name: z.string() }).nullable(),
  /** Who acted and how (the client of a login, the manager who changed the grant). */
  detail: z.string(),
});
export type MyEvent = z.infer<typeof myEventSchema>;
export const myEventsResponseSchema = pageSchema(myEventSchema);

export const myGrantSchema = z.object({
  id: z.string(),
  unit: z.object({ tin: z.string(), name: z.string() }),
  permission: permissionSchema,
  termType: termTypeSchema,
  startDate: z.string(),
  endDate: z.string().nullable(),
  status: grantStatusSchema,
  grantedAt: z.string(),
});
export const myGrantsResponseSchema = pageSchema(myGrantSchema).extend({
  /** Live grants ending within 7 days, of all pages (the toolbar badge). */
  endingSoon: z.number().int(),
  /** True when the person manages at least one unit (the popup links to 企业办税权限). */
  managesUnits: z.boolean(),
});
export type MyGrant = z.infer<typeof myGrantSchema>;

export const unitGrantsResponseSchema = pageSchema(grantViewSchema);

const noBody = { 204: null } as const;

/** 企业办税权限 for the unit's managers, and 我的办税权限 for grantees. */
export const grantsApi = {
  managedUnits: endpoint({
    method: "GET",
    path: "/api/units/managed",
    summary: "Units the person manages (office or 管理权限), by 纳税人识别号; q searches 纳税人识别号 and 纳税人名称",
    auth: true,
    query: pageQuerySchema,
    responses: { 200: managedUnitsResponseSchema },
  }),
  unitDetail: endpoint({
    method: "GET",
    path: "/api/units/:tin",
    summary: "A managed unit and the viewer's roles and limits there",
    auth: true,
    params: unitTinParamSchema,
    responses: { 200: unitDetailResponseSchema },
  }),
  unitGrants: endpoint({
    method: "GET",
    path: "/api/units/:tin/grants",
    summary: "The unit's grants, oldest first; q searches the grantee's 姓名 and 证件号码",
    auth: true,
    params: unitTinParamSchema,
    query: pageQuerySchema,
    responses: { 200: unitGrantsResponseSchema },
  }),
  history: endpoint({
    method: "GET",
    path: "/api/units/:tin/history",
    summary:
      "The unit's change history, newest first; filters: from/to (Asia/Shanghai dates, inclusive), actor and grantee (whole 姓名), action; q searches the actor's and the grantee's 姓名",
    auth: true,
    params: unitTinParamSchema,
    query: historyQuerySchema,
    responses: { 200: historyResponseSchema },
  }),
  historyCsv: endpoint({
    method: "GET",
    path: "/api/units/:tin/history.csv",
    summary:
      "The unit's change history as CSV (UTF-8 with BOM), newest first, with the history's filters (from, to, actor, grantee, action), streamed: a line naming the unit, the filters and the time, then the table",
    auth: true,
    params: unitTinParamSchema,
    query: historyFilterSchema,
    responses: { 200: "download" },
  }),
  grantsCsv: endpoint({
    method: "GET",
    path: "/api/units/:tin/grants.csv",
    summary:
      "Every grant of the unit as CSV (UTF-8 with BOM), streamed: a line naming the unit and the time, then the table",
    auth: true,
    params: unitTinParamSchema,
    responses: { 200: "download" },
  }),
  createGrant: endpoint({
    method: "POST",
    path: "/api/units/:tin/grants",
    summary: "新增授权",
    auth: true,
    params: unitTinParamSchema,
    body: grantCreateRequestSchema,
    responses: { 200: grantViewSchema },
  }),
  changeGrant: endpoint({
    method: "POST",
    path: "/api/units/:tin/grants/:grantId/change",
    summary: "变更: permission and term",
    auth: true,
    params: grantParamSchema,
    body: grantChangeRequestSchema,
    responses: { 200: grantViewSchema },
  }),
  revokeGrant: endpoint({
    method: "POST",
    path: "/api/units/:tin/grants/:grantId/revoke",
    summary: "解除授权 by a manager",
    auth: true,
    params: grantParamSchema,
    responses: { 200: grantViewSchema },
  }),
  granteeDocument: endpoint({
    method: "GET",
    path: "/api/units/:tin/grants/:grantId/document",
    summary: "The grantee's whole 证件号码, for a manager who clicks the masked one",
    auth: true,
    params: grantParamSchema,
    responses: { 200: z.object({ docNumber: z.string() }) },
  }),
  reviewGrant: endpoint({
    method: "POST",
    path: "/api/units/:tin/grants/:grantId/review",
    summary: "复核保留: keeps a grant whose granting 管理权限 has ended",
    auth: true,
    params: grantParamSchema,
    responses: { 200: grantViewSchema },
  }),
  myGrants: endpoint({
    method: "GET",
    path: "/api/my/grants",
    summary: "我的办税权限, newest first; q searches 纳税人识别号 and 纳税人名称",
    auth: true,
    query: pageQuerySchema,
    responses: { 200: myGrantsResponseSchema },
  }),
  myEvents: endpoint({
    method: "GET",
    path: "/api/my/events",
    summary: "最近动态, newest first: the person's logins, the changes to grants they hold, and to their account",
    auth: true,
    query: pageQuerySchema,
    responses: { 200: myEventsResponseSchema },
  }),
  renounceGrant: endpoint({
    method: "POST",
    path: "/api/my/grants/:grantId/renounce",
    summary: "解除授权 by the grantee",
    auth: true,
    params: myGrantParamSchema,
    responses: noBody,
  }),
  deleteMyGrant: endpoint({
    method: "POST",
    path: "/api/my/grants/:grantId/delete",
    summary: "删除: hides an ended grant from 我的办税权限 (the history stays)",
    auth: true,
    params: myGrantParamSchema,
    responses: noBody,
  }),
};

/** Events pushed over the /api/events WebSocket. The client first sends {type:"auth", token}. */
export const eventClientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("auth"), token: z.string().min(1).max(128) }),
  /** Keeps a service worker's socket (and so the worker) alive; the server ignores it. */
  z.object({ type: z.literal("ping") }),
]);
export const GRANT_CHANGES = ["added", "changed", "revoked", "renounced", "deleted", "reviewed"] as const;
export const GRANT_REQUEST_CHANGES = ["asked", "approved", "declined", "withdrawn"] as const;
export const serverEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({
    type: z.literal("grant-changed"),
    unitTin: z.string(),
    unitName: z.string(),
    grantId: z.string(),
    change: z.enum(GRANT_CHANGES),
    /** True when the receiver is the grantee (the background shows a notification). */
    forGrantee: z.boolean(),
  }),
  /** A 申请授权 was made, approved, declined or withdrawn: for the requester and the unit's managers. */
  z.object({
    type: z.literal("grant-request-changed"),
    unitTin: z.string(),
    unitName: z.string(),
    requestId: z.string(),
    change: z.enum(GRANT_REQUEST_CHANGES),
    /** True when the receiver made the request (the background tells them the outcome). */
    forRequester: z.boolean(),
  }),
  z.object({ type: z.literal("session-ended"), reason: z.string() }),
  /** Many wrong 申报密码 tries, across people, at a unit the receiver manages. */
  z.object({
    type: z.literal("unit-alert"),
    unitTin: z.string(),
    unitName: z.string(),
    failures: z.number().int(),
    windowMinutes: z.number().int(),
    /** Set when the failures closed the unit's password path: until when (ISO 8601). */
    closedUntil: z.string().optional(),
  }),
  /** The receiver's account was locked by wrong passwords (they were also texted); until when (ISO). */
  z.object({ type: z.literal("account-locked"), lockedUntil: z.string() }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type ServerEvent = z.infer<typeof serverEventSchema>;
