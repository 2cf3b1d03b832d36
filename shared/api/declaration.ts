import * as z from "zod";
import { smsCodeSchema } from "./accounts.js";
import { endpoint } from "./endpoint.js";
import { type ManagerRole, unitTinParamSchema } from "./grants.js";

/** 申报密码 policy (issue 4): 8–20 characters, letters and digits only, both present. */
export function checkDeclarationPassword(value: string): string | null {
  const length = [...value].length;
  if (length < 8 || length > 20) return "申报密码长度应为8-20位";
  if (!/^[A-Za-z0-9]+$/.test(value)) return "申报密码只能由字母和数字组成";
  if (!/[A-Za-z]/.test(value) || !/\d/.test(value)) return "申报密码须同时包含字母和数字";
  return null;
}

export const declarationPasswordSchema = z.string().superRefine((value, ctx) => {
  const message = checkDeclarationPassword(value);
  if (message) ctx.addIssue({ code: "custom", message });
});

/** 重置申报密码: new password twice and the SMS code sent to the officer's bound phone. */
export const declarationResetRequestSchema = z
  .object({
    newPassword: declarationPasswordSchema,
    confirmPassword: z.string(),
    smsCode: smsCodeSchema,
  })
  .superRefine((value, ctx) => {
    if (value.confirmPassword !== value.newPassword) {
      ctx.addIssue({ code: "custom", path: ["confirmPassword"], message: "两次输入的申报密码不一致" });
    }
  });
export type DeclarationResetRequest = z.infer<typeof declarationResetRequestSchema>;

export const declarationSmsResponseSchema = z.object({ maskedPhone: z.string(), resendAfter: z.number().int() });

/**
 * 重置申报密码 is for the unit's 法定代表人 and 财务负责人 as tax registration knows them, not for
 * 管理权限 holders.
 */
export const mayResetDeclarationPassword = (roles: readonly ManagerRole[]): boolean =>
  roles.includes("法定代表人") || roles.includes("财务负责人");

/** 重置申报密码 by the unit's 法定代表人 or 财务负责人, confirmed by an SMS to their bound phone. */
export const declarationApi = {
  declarationSms: endpoint({
    method: "POST",
    path: "/api/units/:tin/declaration-password/sms",
    summary: "Sends the SMS code for 重置申报密码 to the officer's bound phone",
    auth: true,
    params: unitTinParamSchema,
    responses: { 200: declarationSmsResponseSchema },
  }),
  resetDeclarationPassword: endpoint({
    method: "POST",
    path: "/api/units/:tin/declaration-password/reset",
    summary: "重置申报密码: the new password twice and the SMS code; ends the unit sessions opened with the old one",
    auth: true,
    params: unitTinParamSchema,
    body: declarationResetRequestSchema,
    responses: { 204: null },
  }),
};
