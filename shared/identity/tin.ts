/**
 * 纳税人识别号 of a unit: an 18-character 统一社会信用代码 checked per GB 32100-2015,
 * or a legacy 15- or 20-character 税务登记号, accepted as such (shape only: no check character).
 */

// GB 32100-2015 §4: the code uses digits and upper-case letters except I, O, Z, S, V. A
// character's value in the check computation is its index in this string (A = 10 … Y = 30).
const GB32100_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
// GB 32100-2015 §5 (校验码计算): weight of position i (1-based) is 3^(i-1) mod 31.
const GB32100_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * 登记管理部门代码 (position 1). The 2015 text lists 1 机构编制, 5 民政, 9 工商 (now 市场监管),
 * Y 其他; the code table maintained by 全国组织机构统一社会信用代码数据服务中心 has since assigned
 * 2 外交, 3 司法行政, 4 文化, 6 旅游, 7 宗教, 8 工会, A 中央军委改革和编制办公室, N 农业, and
 * codes with these prefixes are issued in practice. No other value appears in the published
 * tables; if one is assigned, add it here.
 */
const REGISTRATION_AUTHORITIES = new Set(["1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "N", "Y"]);

const USCC_CHARS = /^[0-9A-HJ-NP-RTUW-Y]{18}$/;

/** Trim, full-width (U+FF01–U+FF5E, U+3000 ideographic space) → ASCII, upper-case. */
export function normalizeTaxpayerId(raw: string): string {
  return raw
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, " ")
    .trim()
    .toUpperCase();
}

/**
 * The GB 32100-2015 check character for the first 17 characters of a 统一社会信用代码:
 * c = 31 − (Σ value × weight mod 31), with 31 written as 0. Throws on a character outside the charset.
 */
export function gb32100CheckChar(first17: string): string {
  if (first17.length !== 17) throw new RangeError("gb32100CheckChar needs exactly 17 characters");
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = GB32100_CHARSET.indexOf(first17[i] ?? "");
    if (value < 0) throw new RangeError(`not a GB 32100 character: ${first17[i]}`);
    sum += value * (GB32100_WEIGHTS[i] ?? 0);
  }
  return GB32100_CHARSET[(31 - (sum % 31)) % 31] ?? "";
}

function checkUnifiedSocialCreditCode(code: string): string | null {
  if (!USCC_CHARS.test(code)) return "统一社会信用代码只能包含数字和大写字母（不含I、O、Z、S、V）";
  if (!REGISTRATION_AUTHORITIES.has(code[0] ?? "")) return "统一社会信用代码第1位（登记管理部门代码）无效";
  // Position 2 (机构类别代码) is only checked against the charset: its per-authority tables are
  // extended by the code centre without revising the standard, and the check character already
  // catches a mistyped character there.
  if (!/^\d{6}$/.test(code.slice(2, 8))) return "统一社会信用代码第3至8位（登记管理机关行政区划码）应为6位数字";
  // Positions 9–17 (主体标识码, the GB 11714 组织机构代码) are covered by the charset check.
  if (gb32100CheckChar(code.slice(0, 17)) !== code[17]) return "统一社会信用代码校验位错误";
  return null;
}

/**
 * Checks a 纳税人识别号 that has been through {@link normalizeTaxpayerId}.
 * Returns null when valid, else a Chinese message naming the rule that failed.
 */
export function checkTaxpayerId(tin: string): string | null {
  if (tin.length === 0) return "请输入纳税人识别号";
  switch (tin.length) {
    case 18:
      return checkUnifiedSocialCreditCode(tin);
    case 15:
      // Old 税务登记证号 of an organisation (pre-三证合一 coding rules): 6-digit 行政区划码 + the
      // 9-character GB 11714 组织机构代码 (8 digits/letters, then a check digit or X, hyphen dropped).
      // The older 15-digit 纳税人代码 issued by 国家税务总局 (all digits) fits the same shape.
      return /^\d{6}[0-9A-Z]{8}[0-9X]$/.test(tin)
        ? null
        : "15位纳税人识别号应为6位行政区划码加9位组织机构代码（数字或大写字母）";
    case 20:
      // Old 税务登记证号 of an individual (个体工商户, foreign/HK/Macao/Taiwan individuals): built from
      // an identity document, e.g. 18-digit 居民身份证号码 + 2-digit 顺序码, or 15-digit number + 5
      // characters, or 6-digit 区域码 + 证件号码. Common shape: 6 digits (行政区划/区域码), then 14
      // digits or letters.
      return /^\d{6}[0-9A-Z]{14}$/.test(tin) ? null : "20位纳税人识别号应为6位行政区划码加14位数字或大写字母";
    default:
      return "纳税人识别号应为18位统一社会信用代码（旧号码为15位或20位）";
  }
}
