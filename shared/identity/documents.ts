/** Identity document types (证件类型) and the format of their numbers: each checked by its real format. */

export const DOCUMENT_TYPES = [
  "居民身份证",
  "中国护照",
  "港澳居民来往内地通行证",
  "台湾居民来往大陆通行证",
  "外国护照",
  "外国人永久居留身份证",
  "港澳台居民居住证",
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export function isDocumentType(value: string): value is DocumentType {
  return (DOCUMENT_TYPES as readonly string[]).includes(value);
}

/**
 * Canonical form of a document number: NFKC (full-width digits/letters typed with a Chinese IME
 * become ASCII), no whitespace anywhere, letters upper-case (a lower-case `x` check digit becomes `X`).
 * The rule is the same for every type today; the type is taken so a per-type rule can be added.
 */
export function normalizeDocumentNumber(_type: DocumentType, raw: string): string {
  return canonicalDocumentNumber(raw);
}

/** The type-independent part of {@link normalizeDocumentNumber}, for places where the type is not known yet. */
export function canonicalDocumentNumber(raw: string): string {
  return raw.normalize("NFKC").replace(/\s+/g, "").toUpperCase();
}

// GB 11643-1999 公民身份号码, §8: ISO 7064:1983 MOD 11-2 check character.
const GB11643_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const GB11643_CHECK = "10X98765432";

/** The check character for the first 17 digits of an 18-character number (GB 11643-1999). */
export function gb11643CheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (GB11643_WEIGHTS[i] ?? 0);
  return GB11643_CHECK[sum % 11] ?? "";
}

/**
 * Province-level codes (GB/T 2260) under which a mainland public-security organ issues a
 * 居民身份证: the 31 provinces, autonomous regions and municipalities. 71 (台湾), 81 (香港) and
 * 82 (澳门) exist in GB/T 2260 but are not used on 居民身份证; 81/82/83 appear only on 港澳台居民居住证.
 */
const MAINLAND_PROVINCE_CODES = new Set([
  "11",
  "12",
  "13",
  "14",
  "15", // 北京 天津 河北 山西 内蒙古
  "21",
  "22",
  "23", // 辽宁 吉林 黑龙江
  "31",
  "32",
  "33",
  "34",
  "35",
  "36",
  "37", // 上海 江苏 浙江 安徽 福建 江西 山东
  "41",
  "42",
  "43",
  "44",
  "45",
  "46", // 河南 湖北 湖南 广东 广西 海南
  "50",
  "51",
  "52",
  "53",
  "54", // 重庆 四川 贵州 云南 西藏
  "61",
  "62",
  "63",
  "64",
  "65", // 陕西 甘肃 青海 宁夏 新疆
]);

/** 港澳台居民居住证 address codes (国办发〔2018〕81号《港澳台居民居住证申领发放办法》). */
const RESIDENCE_PERMIT_PREFIXES = new Set(["810000", "820000", "830000"]); // 香港 澳门 台湾

/** YYYYMMDD is a real calendar date between 1900-01-01 and `today` (local date). */
function isValidBirthDate(yyyymmdd: string, today: Date): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > daysInMonth) return false;
  const todayKey = today.getFullYear() * 10000 + (today.getMonth() + 1) * 100 + today.getDate();
  return y * 10000 + m * 100 + d <= todayKey;
}

/** Shared checks for GB 11643-style 18-character numbers: 17 digits, then a digit or X. */
function checkGb11643Shape(number: string, label: string): string | null {
  if (number.length !== 18) return `${label}应为18位`;
  if (!/^\d{17}[\dX]$/.test(number)) return `${label}应为17位数字加1位数字或X`;
  return null;
}

function checkGb11643Digit(number: string): string | null {
  return gb11643CheckDigit(number) === number[17] ? null : "校验码错误";
}

/**
 * Checks a document number (already normalised) against its type's real format.
 * Returns null when valid, else a Chinese message naming the rule that failed.
 */
export function checkDocumentNumber(type: DocumentType, number: string, today: Date = new Date()): string | null {
  if (number.length === 0) return "请输入证件号码";
  switch (type) {
    case "居民身份证": {
      // GB 11643-1999: 6-digit address code (GB/T 2260), 8-digit birth date, 3-digit order, check.
      const shape = checkGb11643Shape(number, "居民身份证号码");
      if (shape) return shape;
      if (!MAINLAND_PROVINCE_CODES.has(number.slice(0, 2))) return "行政区划代码无效";
      if (!isValidBirthDate(number.slice(6, 14), today)) return "出生日期无效";
      return checkGb11643Digit(number);
    }
    case "港澳台居民居住证": {
      // Same structure as 公民身份号码, with address code 810000/820000/830000.
      const shape = checkGb11643Shape(number, "港澳台居民居住证号码");
      if (shape) return shape;
      if (!RESIDENCE_PERMIT_PREFIXES.has(number.slice(0, 6))) {
        return "港澳台居民居住证号码应以810000、820000或830000开头";
      }
      if (!isValidBirthDate(number.slice(6, 14), today)) return "出生日期无效";
      return checkGb11643Digit(number);
    }
    case "中国护照":
      // Ordinary e-passports: E + 8 digits (2012–), then E + letter + 7 digits once E-numbers ran
      // out (2019–); older ordinary passports G + 8 digits. Diplomatic/service/official passports:
      // D, S, P + 7 digits, and their electronic versions DE, SE, PE + 7 digits.
      return /^(E\d{8}|E[A-Z]\d{7}|G\d{8}|[DSP]\d{7}|[DSP]E\d{7})$/.test(number)
        ? null
        : "中国护照号码格式不正确（应为E或G加8位数字，或E加1位字母和7位数字）";
    case "港澳居民来往内地通行证":
      // 回乡证: H (香港) or M (澳门) + 8-digit lifelong number; cards before 2019 print 2 more
      // digits (换证次数) after it, which people still type, so H/M + 10 digits is accepted too.
      return /^[HM](\d{8}|\d{10})$/.test(number) ? null : "港澳居民来往内地通行证号码应为H或M加8位（或10位）数字";
    case "台湾居民来往大陆通行证":
      // 台胞证: 8-digit lifelong number on the 2015 card; the older booklet used 10 digits.
      return /^(\d{8}|\d{10})$/.test(number) ? null : "台湾居民来往大陆通行证号码应为8位（或10位）数字";
    case "外国护照":
      // No single format: ICAO 9303 allows up to 9 characters in the MRZ, national numbers can be
      // longer; accept 5–17 letters/digits with at least one digit.
      if (!/^[A-Z0-9]{5,17}$/.test(number)) return "外国护照号码应为5-17位字母或数字";
      return /\d/.test(number) ? null : "外国护照号码应包含数字";
    case "外国人永久居留身份证": {
      // 2017 card: 15 characters, 3 letters (nationality) + 12 digits. 2023 card (from 2023-12-01):
      // 18 characters, first "9", 17 digits + MOD 11-2 check as in GB 11643 (国家移民管理局
      // 《新版外国人永久居留身份证机读信息规则》).
      if (/^[A-Z]{3}\d{12}$/.test(number)) return null;
      if (number.length !== 18) return "外国人永久居留身份证号码应为15位（3位字母加12位数字）或18位";
      if (!/^9\d{16}[\dX]$/.test(number)) return "18位外国人永久居留身份证号码应以9开头，由17位数字加1位数字或X组成";
      return checkGb11643Digit(number);
    }
  }
}

/**
 * Masks a document number for display, like the hall slip (`430*****438`): first 3 and last 3
 * characters with five stars between for numbers of 10 or more characters; shorter numbers keep
 * only the first and last character, a star for each hidden one.
 */
export function maskDocumentNumber(number: string): string {
  const chars = [...number];
  if (chars.length >= 10) return `${chars.slice(0, 3).join("")}*****${chars.slice(-3).join("")}`;
  if (chars.length <= 2) return "*".repeat(chars.length);
  return `${chars[0]}${"*".repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** Only 居民身份证 holders may log in with their 证件号码; others use 登录名 or 手机号. */
export function loginByDocumentAllowed(type: DocumentType): boolean {
  return type === "居民身份证";
}
