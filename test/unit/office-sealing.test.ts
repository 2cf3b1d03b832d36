import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { JOIN_CODE_BITS, newJoinCode, normalizeJoinCode, seal, unseal } from "../../companion/office/sealing.js";

describe("sealing under the office key (AES-256-GCM)", () => {
  const key = randomBytes(32);

  it("opens with the same key and associated data, and only then", () => {
    const sealed = seal(key, "秘密 value", "office-secret:o:pepper");
    expect(sealed).not.toContain("value");
    expect(unseal(key, sealed, "office-secret:o:pepper")).toBe("秘密 value");
    expect(unseal(key, sealed, "office-secret:o:audit-head")).toBeNull();
    expect(unseal(randomBytes(32), sealed, "office-secret:o:pepper")).toBeNull();
  });

  it("refuses a sealed text changed anywhere", () => {
    const sealed = seal(key, "value", "ad");
    const parts = sealed.split(".");
    for (let i = 1; i < parts.length; i++) {
      const changed = [...parts];
      const bytes = Buffer.from(changed[i] as string, "base64url");
      bytes[0] = (bytes[0] as number) ^ 1;
      changed[i] = bytes.toString("base64url");
      expect(unseal(key, changed.join("."), "ad")).toBeNull();
    }
    expect(unseal(key, "v2.a.b.c", "ad")).toBeNull();
    expect(unseal(key, "garbage", "ad")).toBeNull();
  });

  it("never seals the same value to the same text (a fresh nonce each time)", () => {
    expect(seal(key, "value", "ad")).not.toBe(seal(key, "value", "ad"));
  });
});

describe("join codes", () => {
  it("carry at least 100 bits, in five groups of five", () => {
    expect(JOIN_CODE_BITS).toBeGreaterThanOrEqual(100);
    const codes = new Set(Array.from({ length: 200 }, newJoinCode));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/);
  });

  it("are read as typed: any case, spaces or dashes, O for 0 and I or L for 1", () => {
    expect(normalizeJoinCode("abcde fghjk-mnpqr stvwx yz01o")).toBe("ABCDE-FGHJK-MNPQR-STVWX-YZ010");
    expect(normalizeJoinCode("iiiii-lllll-00000-00000-00000")).toBe("11111-11111-00000-00000-00000");
    expect(normalizeJoinCode("ABCDE-FGHJK-MNPQR-STVWX-YZ01")).toBeNull();
    expect(normalizeJoinCode("ABCDE-FGHJK-MNPQR-STVWX-YZ01U")).toBeNull();
  });
});
