import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  checkLoginName,
  checkNationality,
  checkPassword,
  checkPersonName,
  checkPhone,
  classifyLoginIdentifier,
  maskPersonName,
  maskPhone,
  passwordClasses,
} from "../../shared/identity/account-rules.js";
import { checkDocumentNumber } from "../../shared/identity/documents.js";
import {
  documentNumberSchema,
  documentTypeSchema,
  loginNameSchema,
  nationalitySchema,
  passwordSchema,
  personNameSchema,
  phoneSchema,
  withDocumentCheck,
} from "../../shared/identity/schemas.js";

const EXT_B = "\u{20000}"; // 𠀀, CJK Unified Ideographs Extension B

describe("checkLoginName", () => {
  it("accepts 2 and 16 characters, refuses 1 and 17", () => {
    expect(checkLoginName("ab")).toBeNull();
    expect(checkLoginName("a".repeat(16))).toBeNull();
    expect(checkLoginName("a")).toBe("登录名应为2-16位字符");
    expect(checkLoginName("a".repeat(17))).toBe("登录名应为2-16位字符");
  });
  it("counts code points, so Ext B characters count once", () => {
    expect(checkLoginName(EXT_B.repeat(16))).toBeNull();
    expect(checkLoginName(EXT_B.repeat(17))).toBe("登录名应为2-16位字符");
    expect(checkLoginName(`张${EXT_B}`)).toBeNull();
  });
  it("allows letters, digits, Chinese and underscore; refuses all digits", () => {
    expect(checkLoginName("张三_2024")).toBeNull();
    expect(checkLoginName("__")).toBeNull();
    expect(checkLoginName("a1")).toBeNull();
    expect(checkLoginName("12345678")).toBe("登录名不能为纯数字");
    expect(checkLoginName("ab-c")).toBe("登录名只能由字母、数字、中文和下划线组成");
    expect(checkLoginName("ab c")).toBe("登录名只能由字母、数字、中文和下划线组成");
    expect(checkLoginName("Ａbc")).toBe("登录名只能由字母、数字、中文和下划线组成"); // full-width A
    expect(checkLoginName("ab·c")).toBe("登录名只能由字母、数字、中文和下划线组成");
  });
  it("is case-sensitive: both cases are valid and kept as typed", () => {
    expect(checkLoginName("Abc")).toBeNull();
    expect(checkLoginName("abc")).toBeNull();
    expect(loginNameSchema.parse("Abc")).toBe("Abc");
    expect(loginNameSchema.parse("Abc")).not.toBe(loginNameSchema.parse("abc"));
  });
});

describe("checkPassword", () => {
  it("accepts exactly 8 and 15 characters, refuses 7 and 16", () => {
    expect(checkPassword("Abcdef12")).toBeNull();
    expect(checkPassword("Abcdefghijk1234")).toBeNull();
    expect(checkPassword("Abcde12")).toBe("密码应为8-15位字符");
    expect(checkPassword("Abcdefghijk12345")).toBe("密码应为8-15位字符");
  });
  it("needs three of the four classes", () => {
    expect(checkPassword("abcdef12")).toMatch(/三种或以上/); // lower + digit
    expect(checkPassword("ABCDEFGH!")).toMatch(/三种或以上/); // upper + special
    expect(checkPassword("abcdef1!")).toBeNull(); // lower + digit + special
    expect(checkPassword("ABCDEF1!")).toBeNull();
    expect(checkPassword("Abcdefg!")).toBeNull();
  });
  it("refuses spaces, other whitespace and non-ASCII characters", () => {
    expect(checkPassword("Abc def12")).toBe("密码不允许包含空格");
    expect(checkPassword("Abcdef12\t")).toBe("密码不允许包含空格");
    expect(checkPassword("Abc\u3000def12")).toBe("密码不允许包含空格");
    expect(checkPassword("Abcdef12密")).toBe("密码只能使用英文字母、数字和英文特殊字符");
    expect(checkPassword("Abcdef12！")).toBe("密码只能使用英文字母、数字和英文特殊字符");
  });
  it("reports the classes present", () => {
    expect(passwordClasses("aB3")).toEqual({ upper: true, lower: true, digit: true, special: false });
    expect(passwordClasses("~`_")).toEqual({ upper: false, lower: false, digit: false, special: true });
  });
});

describe("checkPhone", () => {
  it("accepts mainland mobile numbers only", () => {
    expect(checkPhone("13800138000")).toBeNull();
    expect(checkPhone("19912345678")).toBeNull();
    expect(checkPhone("12800138000")).toEqual(expect.any(String));
    expect(checkPhone("1380013800")).toEqual(expect.any(String));
    expect(checkPhone("138001380000")).toEqual(expect.any(String));
    expect(checkPhone("+8613800138000")).toEqual(expect.any(String));
  });
});

describe("checkPersonName", () => {
  it("accepts Chinese, Ext B and middle-dot names", () => {
    expect(checkPersonName("宋")).toBeNull();
    expect(checkPersonName(`张${EXT_B}`)).toBeNull();
    expect(checkPersonName("阿依古丽·买买提")).toBeNull();
    expect(checkPersonName("John Smith")).toBeNull();
    expect(checkPersonName("José María")).toBeNull();
  });
  it("counts code points: 50 is allowed, 51 is not", () => {
    expect(checkPersonName(EXT_B.repeat(50))).toBeNull();
    expect(checkPersonName(EXT_B.repeat(51))).toBe("姓名不能超过50个字符");
  });
  it("refuses digits, other punctuation and misplaced separators", () => {
    expect(checkPersonName("")).toBe("请输入姓名");
    expect(checkPersonName("张三1")).toMatch(/不能包含数字/);
    expect(checkPersonName("张•三")).toMatch(/不能包含数字/); // U+2022 is not the middle dot
    expect(checkPersonName("·张三")).toBe("姓名不能以间隔号或空格开头或结尾");
    expect(checkPersonName("张三·")).toBe("姓名不能以间隔号或空格开头或结尾");
    expect(checkPersonName("阿依··买买提")).toBe("姓名中不能有连续的间隔号或空格");
    expect(checkPersonName("张 三")).toBe("中文姓名中不能包含空格");
  });
  it("normalises to NFC before counting, and the schema outputs NFC", () => {
    const decomposed = "Jose\u0301"; // e + combining acute
    expect(checkPersonName(decomposed)).toBeNull();
    expect(checkPersonName("e\u0301".repeat(50))).toBeNull(); // 100 code points in NFD, 50 in NFC
    expect(personNameSchema.parse(` ${decomposed} `)).toBe("Jos\u00e9");
  });
});

describe("checkNationality", () => {
  it("requires 中国 for Chinese documents", () => {
    expect(checkNationality("居民身份证", "中国")).toBeNull();
    expect(checkNationality("港澳居民来往内地通行证", "中国")).toBeNull();
    expect(checkNationality("中国护照", "美国")).toMatch(/国籍应为中国/);
    expect(checkNationality("居民身份证", "")).toBe("请输入国籍");
  });
  it("refuses 中国 for foreign documents", () => {
    expect(checkNationality("外国护照", "美国")).toBeNull();
    expect(checkNationality("外国护照", "中国")).toBe("持外国证件的国籍不能为中国");
    expect(checkNationality("外国人永久居留身份证", "中国")).toBe("持外国证件的国籍不能为中国");
    expect(checkNationality("外国护照", "国".repeat(51))).toBe("国籍不能超过50个字符");
  });
});

describe("masking", () => {
  it("masks names by code point", () => {
    expect(maskPersonName("张三")).toBe("*三");
    expect(maskPersonName("宋")).toBe("宋");
    expect(maskPersonName(`${EXT_B}三丰`)).toBe("**丰");
    expect(maskPersonName(`张${EXT_B}`)).toBe(`*${EXT_B}`);
  });
  it("masks phones", () => {
    expect(maskPhone("13800138000")).toBe("138****8000");
  });
});

describe("classifyLoginIdentifier", () => {
  it("tells phones, 居民身份证 numbers and login names apart", () => {
    expect(classifyLoginIdentifier("13800138000")).toBe("phone");
    expect(classifyLoginIdentifier("11010519491231002X")).toBe("docNumber");
    expect(classifyLoginIdentifier("11010519491231002x")).toBe("docNumber");
    expect(classifyLoginIdentifier("110105194912310021")).toBe("loginName"); // bad check digit
    expect(classifyLoginIdentifier("张三_2024")).toBe("loginName");
  });
});

describe("zod schemas give the checks' messages", () => {
  const messageOf = (schema: z.ZodType, value: unknown) => {
    const r = schema.safeParse(value);
    return r.success ? null : (r.error.issues[0]?.message ?? "");
  };
  it.each([
    [loginNameSchema, checkLoginName, ["a", "12345", "ab-c", "Abc"]],
    [passwordSchema, checkPassword, ["short1A", "abcdef12", "Abc def12", "Abcdef12"]],
    [phoneSchema, checkPhone, ["12345", "13800138000"]],
    [personNameSchema, checkPersonName, ["张三1", "·张", "张三"]],
  ] as const)("%#", (schema, check, values) => {
    for (const v of values) expect(messageOf(schema, v)).toBe(check(v));
  });

  it("validates document type, number and nationality together", () => {
    expect(documentTypeSchema.safeParse("驾驶证").success).toBe(false);
    expect(documentNumberSchema.parse(" 110105 19491231002x")).toBe("11010519491231002X");
    expect(nationalitySchema.safeParse("  ").success).toBe(false);

    const schema = withDocumentCheck(
      z.object({
        docType: documentTypeSchema,
        docNumber: documentNumberSchema,
        nationality: nationalitySchema.optional(),
      }),
    );
    expect(schema.parse({ docType: "居民身份证", docNumber: "11010519491231002x" })).toEqual({
      docType: "居民身份证",
      docNumber: "11010519491231002X",
    });
    const bad = schema.safeParse({ docType: "居民身份证", docNumber: "110105194912310021", nationality: "美国" });
    expect(bad.success).toBe(false);
    const issues = bad.success ? [] : bad.error.issues.map((i) => [i.path, i.message]);
    expect(issues).toEqual([
      [["docNumber"], checkDocumentNumber("居民身份证", "110105194912310021")],
      [["nationality"], checkNationality("居民身份证", "美国")],
    ]);
  });
});
