import { describe, expect, it } from "vitest";
import { taxpayerIdSchema } from "../../shared/identity/schemas.js";
import { checkTaxpayerId, gb32100CheckChar, normalizeTaxpayerId } from "../../shared/identity/tin.js";

// Published codes, each verified with gb32100CheckChar (a random 18th character would pass 1 time in 31).
const PUBLISHED = [
  "91350100M000100Y43", // the example printed in most GB 32100 explanations
  "914403001922038216", // 华为技术有限公司
  "91110108551385082Q", // 北京小米科技有限责任公司
  "91440300708461136T", // 深圳市腾讯计算机系统有限公司
  "91330100716105852F", // 阿里巴巴（中国）网络技术有限公司
];

const withCheck = (first17: string) => first17 + gb32100CheckChar(first17);

describe("统一社会信用代码 (GB 32100-2015)", () => {
  it("accepts published codes", () => {
    for (const code of PUBLISHED) expect(checkTaxpayerId(code), code).toBeNull();
  });

  it("computes the check character, with 31 written as 0", () => {
    expect(gb32100CheckChar("91350100M000100Y4")).toBe("3");
    expect(gb32100CheckChar("91110108551385082")).toBe("Q");
    expect(gb32100CheckChar("91440300192203821")).toBe("6");
    // Σ = 0 → c = 31 − 0 = 31 → '0'.
    expect(gb32100CheckChar("00000000000000000")).toBe("0");
    // Σ = 1 (a 1 in position 1, weight 1) → c = 30 → 'Y', the last character of the set.
    expect(gb32100CheckChar("10000000000000000")).toBe("Y");
  });

  it("drops 911100001000000000: its check character would be R, not 0", () => {
    expect(gb32100CheckChar("91110000100000000")).toBe("R");
    expect(checkTaxpayerId("911100001000000000")).toBe("统一社会信用代码校验位错误");
    expect(checkTaxpayerId("91110000100000000R")).toBeNull();
  });

  it("refuses a wrong check character", () => {
    expect(checkTaxpayerId("91350100M000100Y44")).toBe("统一社会信用代码校验位错误");
    expect(checkTaxpayerId("91110108551385082R")).toBe("统一社会信用代码校验位错误");
    // Two adjacent characters swapped.
    expect(checkTaxpayerId("91110108553185082Q")).toBe("统一社会信用代码校验位错误");
  });

  it("refuses the letters I, O, Z, S, V anywhere", () => {
    for (const letter of ["I", "O", "Z", "S", "V"]) {
      expect(checkTaxpayerId(`91350100M000100Y4${letter}`)).toBe(
        "统一社会信用代码只能包含数字和大写字母（不含I、O、Z、S、V）",
      );
      expect(checkTaxpayerId(`91350100${letter}000100Y43`)).toMatch(/不含I、O、Z、S、V/);
    }
  });

  it("checks the 登记管理部门代码 (position 1)", () => {
    for (const authority of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "N", "Y"]) {
      expect(checkTaxpayerId(withCheck(`${authority}1350100M000100Y4`)), authority).toBeNull();
    }
    for (const authority of ["0", "B", "G", "X"]) {
      expect(checkTaxpayerId(withCheck(`${authority}1350100M000100Y4`))).toBe(
        "统一社会信用代码第1位（登记管理部门代码）无效",
      );
    }
  });

  it("requires a 6-digit 行政区划码 in positions 3–8", () => {
    expect(checkTaxpayerId(withCheck("913501A0M000100Y4"))).toBe(
      "统一社会信用代码第3至8位（登记管理机关行政区划码）应为6位数字",
    );
  });

  it("refuses lower case (normalise first)", () => {
    expect(checkTaxpayerId("91110108551385082q")).toMatch(/大写字母/);
  });
});

describe("legacy numbers (accepted as such, shape only)", () => {
  it("accepts a 15-character 税务登记号: 行政区划码 + 组织机构代码", () => {
    expect(checkTaxpayerId("350100M000100Y4")).toBeNull();
    expect(checkTaxpayerId("11010860000001X")).toBeNull();
    expect(checkTaxpayerId("110108123456789")).toBeNull();
  });

  it("refuses a malformed 15-character number", () => {
    const message = "15位纳税人识别号应为6位行政区划码加9位组织机构代码（数字或大写字母）";
    expect(checkTaxpayerId("35010AM000100Y4")).toBe(message); // letter in the 行政区划码
    expect(checkTaxpayerId("350100M000100YA")).toBe(message); // org-code check char must be 0-9 or X
    expect(checkTaxpayerId("350100M000-00Y4")).toBe(message);
  });

  it("accepts a 20-character 个体户 number: 居民身份证号码 + 顺序码", () => {
    expect(checkTaxpayerId("11010519491231002X01")).toBeNull(); // 18-digit ID + 2
    expect(checkTaxpayerId("11010549123100200001")).toBeNull(); // 15-digit ID + 5
  });

  it("refuses a malformed 20-character number", () => {
    const message = "20位纳税人识别号应为6位行政区划码加14位数字或大写字母";
    expect(checkTaxpayerId("A1010519491231002X01")).toBe(message);
    expect(checkTaxpayerId("11010519491231002X-1")).toBe(message);
  });
});

describe("length", () => {
  it("refuses any other length", () => {
    const message = "纳税人识别号应为18位统一社会信用代码（旧号码为15位或20位）";
    for (const tin of ["9135010", "91350100M000100Y4", "91350100M000100Y430", "1101051949123100201", "1".repeat(21)]) {
      expect(checkTaxpayerId(tin), tin).toBe(message);
    }
    expect(checkTaxpayerId("")).toBe("请输入纳税人识别号");
  });
});

describe("normalisation and schema", () => {
  it("trims, maps full-width to ASCII and upper-cases", () => {
    expect(normalizeTaxpayerId("  91110108551385082q\t")).toBe("91110108551385082Q");
    expect(normalizeTaxpayerId("\u3000９１１１０１０８５５１３８５０８２ｑ\u3000")).toBe("91110108551385082Q");
  });

  it("schema outputs the normalised code", () => {
    expect(taxpayerIdSchema.parse(" 91350100m000100y43 ")).toBe("91350100M000100Y43");
    expect(taxpayerIdSchema.parse("３５０１００ｍ０００１００ｙ４")).toBe("350100M000100Y4");
  });

  it("schema reports the check's message as its only issue", () => {
    const result = taxpayerIdSchema.safeParse("91350100M000100Y44");
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(["统一社会信用代码校验位错误"]);
    expect(taxpayerIdSchema.safeParse("   ").error?.issues[0]?.message).toBe("请输入纳税人识别号");
  });
});
