/**
 * zod schemas for identity and account fields, built on the check functions so each rule lives
 * in one place and the issue message is exactly the check's Chinese message.
 */
import * as z from "zod";
import { checkLoginName, checkNationality, checkPassword, checkPersonName, checkPhone } from "./account-rules.js";
import {
  canonicalDocumentNumber,
  checkDocumentNumber,
  DOCUMENT_TYPES,
  type DocumentType,
  isDocumentType,
} from "./documents.js";
import { checkTaxpayerId, normalizeTaxpayerId } from "./tin.js";

type Check = (value: string) => string | null;

/** A superRefine callback that reports the check's message as a custom issue. */
function fromCheck(check: Check) {
  return (value: string, ctx: z.RefinementCtx<string>) => {
    const message = check(value);
    if (message !== null) ctx.addIssue({ code: "custom", message });
  };
}

const codePoints = (s: string): number => [...s].length;

export const documentTypeSchema = z.enum(DOCUMENT_TYPES, { message: "请选择证件类型" });

/** Trimmed and canonicalised (no spaces, upper case); the per-type format is checked by {@link withDocumentCheck}. */
export const documentNumberSchema = z
  .string()
  .overwrite(canonicalDocumentNumber)
  .min(1, "请输入证件号码")
  .max(32, "证件号码不能超过32个字符");

/** Not trimmed: a login name is case-sensitive and stored exactly as typed. */
export const loginNameSchema = z.string().superRefine(fromCheck(checkLoginName));
/** Never trimmed: spaces are refused, not silently removed. */
export const passwordSchema = z.string().superRefine(fromCheck(checkPassword));
export const phoneSchema = z.string().trim().superRefine(fromCheck(checkPhone));
/** Output is NFC, so the same name typed on different systems compares equal. */
export const personNameSchema = z.string().trim().normalize("NFC").superRefine(fromCheck(checkPersonName));
export const nationalitySchema = z
  .string()
  .trim()
  .refine((s) => codePoints(s) >= 1, "请输入国籍")
  .refine((s) => codePoints(s) <= 50, "国籍不能超过50个字符");
/** 纳税人识别号 of a unit: normalised (trimmed, full-width → ASCII, upper case), then checked. */
export const taxpayerIdSchema = z.string().overwrite(normalizeTaxpayerId).superRefine(fromCheck(checkTaxpayerId));

/** The fields {@link withDocumentCheck} looks at. */
export type DocumentFields = { docType: DocumentType; docNumber: string; nationality?: string };

/**
 * Adds the checks that need the document type: docNumber against docType (on path ["docNumber"])
 * and, when present, nationality against docType (on path ["nationality"]). Apply it last: zod
 * refuses to `.extend()` an object schema that carries refinements.
 */
export function withDocumentCheck<T extends z.ZodType<DocumentFields>>(schema: T): T {
  return schema.superRefine((value, ctx) => {
    const { docType, docNumber, nationality } = value as DocumentFields;
    if (!isDocumentType(docType)) return; // already reported by documentTypeSchema
    const docMessage = checkDocumentNumber(docType, canonicalDocumentNumber(docNumber));
    if (docMessage !== null) ctx.addIssue({ code: "custom", path: ["docNumber"], message: docMessage });
    if (nationality !== undefined) {
      const natMessage = checkNationality(docType, nationality);
      if (natMessage !== null) ctx.addIssue({ code: "custom", path: ["nationality"], message: natMessage });
    }
  });
}
