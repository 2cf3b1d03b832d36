import { describe, expect, it } from "vitest";
import {
  checkDocumentNumber,
  DOCUMENT_TYPES,
  gb11643CheckDigit,
  loginByDocumentAllowed,
  maskDocumentNumber,
  normalizeDocumentNumber,
} from "../../shared/identity/documents.js";

const today = new Date(2025, 5, 15); // 2025-06-15, local time

const idCard = (n: string) => checkDocumentNumber("居民身份证", n, today);

describe("居民身份证 (GB 11643-1999)", () => {
  // Both verified by hand: weighted sums 167 (mod 11 = 2 → X) and 214 (mod 11 = 5 → 7).
  it("accepts known valid numbers", () => {
    expect(idCard("11010519491231002X")).toBeNull(); // the standard's own example
    expect(idCard("110101199003074477")).toBeNull();
  });

  it("computes the MOD 11-2 check character", () => {
    expect(gb11643CheckDigit("11010519491231002")).toBe("X");
    expect(gb11643CheckDigit("11010119900307447")).toBe("7");
  });

  it("refuses a wrong check digit", () => {
    expect(idCard("110105194912310021")).toBe("校验码错误");
    expect(idCard("110101199003074478")).toBe("校验码错误");
  });

  it("refuses an impossible or out-of-range birth date", () => {
    const withDate = (date: string) => {
      const first17 = `110101${date}001`;
      return first17 + gb11643CheckDigit(first17);
    };
    expect(idCard(withDate("19990230"))).toBe("出生日期无效");
    expect(idCard(withDate("19991301"))).toBe("出生日期无效");
    expect(idCard(withDate("18991231"))).toBe("出生日期无效");
    expect(idCard(withDate("20250616"))).toBe("出生日期无效"); // tomorrow
    expect(idCard(withDate("20250615"))).toBeNull(); // today
    expect(idCard(withDate("20000229"))).toBeNull(); // leap day
    expect(idCard(withDate("19000229"))).toBe("出生日期无效"); // 1900 is not a leap year
  });

  it("refuses a bad province code", () => {
    for (const prefix of ["00", "10", "16", "71", "81", "83", "99"]) {
      const first17 = `${prefix}010119900307447`;
      expect(idCard(first17 + gb11643CheckDigit(first17))).toBe("行政区划代码无效");
    }
  });

  it("refuses a wrong length or bad characters", () => {
    expect(idCard("11010519491231002")).toBe("居民身份证号码应为18位");
    expect(idCard("11010519491231002X1")).toBe("居民身份证号码应为18位");
    expect(idCard("1101051949123100X2")).toMatch(/17位数字/);
    expect(idCard("")).toBe("请输入证件号码");
  });
});

describe("normalizeDocumentNumber", () => {
  it("trims, removes inner spaces, upper-cases and folds full-width characters", () => {
    expect(normalizeDocumentNumber("居民身份证", " 110105 19491231 002x ")).toBe("11010519491231002X");
    expect(normalizeDocumentNumber("中国护照", "ｅ１２３４５６７８")).toBe("E12345678");
  });
});

describe("港澳台居民居住证", () => {
  const check = (n: string) => checkDocumentNumber("港澳台居民居住证", n, today);
  it("accepts 810000/820000/830000 numbers with a valid check digit", () => {
    for (const prefix of ["810000", "820000", "830000"]) {
      const first17 = `${prefix}19940823002`;
      expect(check(first17 + gb11643CheckDigit(first17))).toBeNull();
    }
    expect(check("810000199408230021")).toBeNull();
  });
  it("refuses another prefix, a bad date or check digit", () => {
    expect(check("11010519491231002X")).toMatch(/810000/);
    expect(check("810000199408230022")).toBe("校验码错误");
    const first17 = "81000019940230002";
    expect(check(first17 + gb11643CheckDigit(first17))).toBe("出生日期无效");
    expect(check("81000019940823002")).toBe("港澳台居民居住证号码应为18位");
  });
});

describe("passports and permits", () => {
  const valid: [(typeof DOCUMENT_TYPES)[number], string][] = [
    ["中国护照", "E12345678"],
    ["中国护照", "EA1234567"],
    ["中国护照", "G12345678"],
    ["中国护照", "P1234567"],
    ["中国护照", "DE1234567"],
    ["港澳居民来往内地通行证", "H12345678"],
    ["港澳居民来往内地通行证", "M12345678"],
    ["港澳居民来往内地通行证", "H1234567801"],
    ["台湾居民来往大陆通行证", "12345678"],
    ["台湾居民来往大陆通行证", "1234567890"],
    ["外国护照", "X1234"],
    ["外国护照", "533380006"],
    ["外国护照", "AB1234567CD890123"],
    ["外国人永久居留身份证", "USA110083002014"],
    ["外国人永久居留身份证", `91101156200101001${gb11643CheckDigit("91101156200101001")}`],
  ];
  it.each(valid)("%s accepts %s", (type, n) => {
    expect(checkDocumentNumber(type, n, today)).toBeNull();
  });

  const invalid: [(typeof DOCUMENT_TYPES)[number], string][] = [
    ["中国护照", "E1234567"],
    ["中国护照", "E123456789"],
    ["中国护照", "K12345678"],
    ["中国护照", "EA12345678"],
    ["港澳居民来往内地通行证", "A12345678"],
    ["港澳居民来往内地通行证", "H1234567"],
    ["港澳居民来往内地通行证", "H123456789"],
    ["台湾居民来往大陆通行证", "1234567"],
    ["台湾居民来往大陆通行证", "123456789"],
    ["台湾居民来往大陆通行证", "T1234567"],
    ["外国护照", "X123"],
    ["外国护照", "ABCDEFGH"],
    ["外国护照", "AB1234567CD8901234"],
    ["外国护照", "AB-123456"],
    ["外国人永久居留身份证", "US1100830020145"],
    ["外国人永久居留身份证", "USA11008300201"],
    ["外国人永久居留身份证", "110101199003074477"], // a citizen's number, not starting with 9
  ];
  it.each(invalid)("%s refuses %s", (type, n) => {
    expect(checkDocumentNumber(type, n, today)).toEqual(expect.any(String));
  });

  it("checks the 2023 永居证 check digit", () => {
    const first17 = "91101156200101001";
    const good = gb11643CheckDigit(first17);
    const bad = good === "0" ? "1" : "0";
    expect(checkDocumentNumber("外国人永久居留身份证", first17 + bad, today)).toBe("校验码错误");
  });
});

describe("maskDocumentNumber", () => {
  it("matches the hall slip for long numbers", () => {
    expect(maskDocumentNumber("430124198501010438")).toBe("430*****438");
    expect(maskDocumentNumber("USA110083002014")).toBe("USA*****014");
  });
  it("keeps only the first and last character of short numbers", () => {
    expect(maskDocumentNumber("E12345678")).toBe("E*******8");
    expect(maskDocumentNumber("12345678")).toBe("1******8");
    expect(maskDocumentNumber("AB")).toBe("**");
  });
});

describe("loginByDocumentAllowed", () => {
  it("allows only 居民身份证", () => {
    for (const t of DOCUMENT_TYPES) expect(loginByDocumentAllowed(t)).toBe(t === "居民身份证");
  });
});
