/**
 * Account field rules (seed 一、注意事项). Each check returns null when the value is
 * acceptable, else the Chinese message shown to the person. Lengths count Unicode code points.
 */
import { canonicalDocumentNumber, checkDocumentNumber, type DocumentType } from "./documents.js";

const codePoints = (s: string): number => [...s].length;

// 登录名: "2-16 位字符，可由大小写字母、数字、中文与下划线组成，不支持纯数字，字母需区分大小写".
// 中文 = any CJK Unified Ideograph, extensions included (Ext B and later are outside the BMP).
const LOGIN_NAME_CHARS = /^[A-Za-z0-9_\p{Unified_Ideograph}]+$/u;

export function checkLoginName(value: string): string | null {
  const n = codePoints(value);
  if (n < 2 || n > 16) return "登录名应为2-16位字符";
  if (!LOGIN_NAME_CHARS.test(value)) return "登录名只能由字母、数字、中文和下划线组成";
  if (/^\d+$/.test(value)) return "登录名不能为纯数字";
  return null; // case-sensitive: the value is stored as typed
}

// 密码: "8-15 位的字母大小写、数字、特殊字符其中三种或以上组成，不允许空格".
// Special characters = printable ASCII punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~).
export type PasswordClass = "upper" | "lower" | "digit" | "special";

export function passwordClasses(value: string): Record<PasswordClass, boolean> {
  return {
    upper: /[A-Z]/.test(value),
    lower: /[a-z]/.test(value),
    digit: /[0-9]/.test(value),
    special: /[!-/:-@[-`{-~]/.test(value),
  };
}

export function checkPassword(value: string): string | null {
  if (/\s/u.test(value)) return "密码不允许包含空格";
  if (!/^[!-~]*$/.test(value)) return "密码只能使用英文字母、数字和英文特殊字符";
  if (value.length < 8 || value.length > 15) return "密码应为8-15位字符";
  const count = Object.values(passwordClasses(value)).filter(Boolean).length;
  if (count < 3) return "密码应包含大写字母、小写字母、数字、特殊字符中的三种或以上";
  return null;
}

/** Mainland mobile number: 11 digits, 1 then 3–9 (current number ranges). */
export function checkPhone(value: string): string | null {
  return /^1[3-9]\d{9}$/.test(value) ? null : "手机号码应为11位中国大陆手机号";
}

/**
 * 姓名: letters of any script (Ext B+ ideographs included) with combining marks,
 * the middle dot U+00B7 between name parts (少数民族/外国人 names, e.g. 阿依古丽·买买提),
 * single spaces between parts of non-Chinese names. 1–50 code points after NFC.
 */
export function checkPersonName(value: string): string | null {
  const name = value.normalize("NFC");
  const n = codePoints(name);
  if (n === 0) return "请输入姓名";
  if (n > 50) return "姓名不能超过50个字符";
  if (!/^[\p{L}\p{M}\u00B7 ]+$/u.test(name)) {
    return "姓名只能包含文字，以及间隔号“·”和空格，不能包含数字或其他符号";
  }
  // Not /[\p{L}\p{M}]$/u: Chromium 156's V8 finds no match for that class before $ when the last
  // character is outside the BMP (张𠮷 was refused in the extension); the alternation is matched right.
  if (!/^\p{L}/u.test(name) || !/(?:\p{L}|\p{M})$/u.test(name)) {
    return "姓名不能以间隔号或空格开头或结尾";
  }
  if (/[\u00B7 ]{2}/u.test(name)) return "姓名中不能有连续的间隔号或空格";
  // A space may only separate parts written in other scripts than Chinese (e.g. "John Smith").
  if (/\p{Script=Han} | \p{Script=Han}/u.test(name)) return "中文姓名中不能包含空格";
  return null;
}

/**
 * 国籍. Chinese documents (居民身份证, 中国护照, 港澳/台湾 permits and 港澳台居民居住证) require
 * 中国: 香港、澳门、台湾居民 are Chinese nationals and this system records them as 中国.
 * Foreign documents (外国护照, 外国人永久居留身份证) must not give 中国.
 */
const FOREIGN_DOCUMENTS: readonly DocumentType[] = ["外国护照", "外国人永久居留身份证"];

export function checkNationality(docType: DocumentType, nationality: string): string | null {
  const v = nationality.trim();
  if (v.length === 0) return "请输入国籍";
  if (codePoints(v) > 50) return "国籍不能超过50个字符";
  const isChina = v === "中国" || v === "中华人民共和国" || v.startsWith("中国");
  if (FOREIGN_DOCUMENTS.includes(docType)) {
    return isChina ? "持外国证件的国籍不能为中国" : null;
  }
  return v === "中国" ? null : `证件类型为${docType}时国籍应为中国`;
}

/** 张三 → *三; a one-character name is shown as is. */
export function maskPersonName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  return "*".repeat(chars.length - 1) + chars[chars.length - 1];
}

/** 13800138000 → 138****8000. */
export function maskPhone(phone: string): string {
  if (phone.length < 8) return "*".repeat(phone.length);
  return `${phone.slice(0, 3)}${"*".repeat(phone.length - 7)}${phone.slice(-4)}`;
}

/** What the login box's 账号 is: a 手机号, a 居民身份证 number, or else a 登录名. */
export function classifyLoginIdentifier(account: string): "phone" | "docNumber" | "loginName" {
  const trimmed = account.trim();
  if (checkPhone(trimmed) === null) return "phone";
  if (checkDocumentNumber("居民身份证", canonicalDocumentNumber(trimmed)) === null) return "docNumber";
  return "loginName";
}
