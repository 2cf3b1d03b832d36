import { describe, expect, it } from "vitest";
import { CLIENT_NAME_MAX, cleanClientName, clientNameSchema } from "../../shared/desktop/client-name.js";

const EXT_B = "\u{20000}"; // 𠀀, CJK Unified Ideographs Extension B

describe("cleanClientName", () => {
  it("keeps an ordinary name as it is", () => {
    expect(cleanClientName("扣缴客户端（财务室）· Win 11")).toBe("扣缴客户端（财务室）· Win 11");
  });

  it("turns line breaks, tabs and other controls into single spaces, and trims", () => {
    expect(cleanClientName(" 扣缴\r\n客户端\t\t财务室\u0007\u0085\u2028电脑\u2029 ")).toBe("扣缴 客户端 财务室 电脑");
    expect(cleanClientName("a\u0000b\u001bc\u007fd\u009fe")).toBe("a b c d e");
  });

  it("removes bidi embeddings, overrides, isolates and marks", () => {
    const bidi = "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C";
    expect(cleanClientName(`\u202Eexe.${bidi}扣缴客户端`)).toBe("exe.扣缴客户端");
  });

  it("removes zero-width characters, the BOM, soft hyphens and tag characters", () => {
    expect(cleanClientName("扣\u200B缴\u200C客\u200D户\u2060端\uFEFF财\u00AD务\u{E0041}室")).toBe("扣缴客户端财务室");
  });

  it("removes lone surrogates, keeps characters outside the BMP", () => {
    expect(cleanClientName(`${EXT_B}\uD800张\uDC00`)).toBe(`${EXT_B}张`);
  });

  it("collapses runs of spaces, the ideographic one included", () => {
    expect(cleanClientName("财务室\u3000\u3000 电脑")).toBe("财务室 电脑");
  });
});

describe("clientNameSchema", () => {
  const parse = (name: string) => clientNameSchema.safeParse(name);

  it("answers the cleaned name", () => {
    expect(parse("\u202E扣缴客户端\n").data).toBe("扣缴客户端");
  });

  it("refuses a name with nothing visible", () => {
    expect(parse("\u200B\u202E \n\t").error?.issues[0]?.message).toBe("请填写客户端名称");
  });

  it(`counts at most ${CLIENT_NAME_MAX} characters in code points, after cleaning`, () => {
    expect(parse(EXT_B.repeat(CLIENT_NAME_MAX)).success).toBe(true);
    expect(parse(`${"中".repeat(CLIENT_NAME_MAX)}${"\u200B".repeat(200)}`).success).toBe(true);
    expect(parse("中".repeat(CLIENT_NAME_MAX + 1)).error?.issues[0]?.message).toBe("客户端名称不能超过64个字符");
  });

  it("refuses a huge input before cleaning it", () => {
    expect(parse("\u200B".repeat(5_000)).error?.issues[0]?.message).toBe("客户端名称不能超过64个字符");
  });
});
