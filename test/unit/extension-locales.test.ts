/** The extension's two locales stay in step: same messages, same placeholders; every t("…") exists. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const extensionDir = resolve(import.meta.dirname, "..", "..", "extension");
type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;
const load = (locale: string): Messages =>
  JSON.parse(readFileSync(join(extensionDir, "public", "_locales", locale, "messages.json"), "utf8"));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "public" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe("extension locales", () => {
  const zh = load("zh_CN");
  const en = load("en");

  it("have the same messages and placeholders in Chinese and English", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    for (const [key, entry] of Object.entries(zh)) {
      const other = en[key];
      expect(Object.keys(other?.placeholders ?? {}).sort(), key).toEqual(Object.keys(entry.placeholders ?? {}).sort());
      for (const name of Object.keys(entry.placeholders ?? {})) {
        expect(entry.message, key).toContain(`$${name.toUpperCase()}$`);
        expect(other?.message, key).toContain(`$${name.toUpperCase()}$`);
      }
    }
  });

  it("define every message the code asks for", () => {
    const used = new Set<string>();
    for (const file of sourceFiles(extensionDir)) {
      for (const match of readFileSync(file, "utf8").matchAll(/\bt\("([A-Za-z0-9_]+)"/g)) used.add(match[1] as string);
    }
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((key) => !(key in zh))).toEqual([]);
  });

  it("speak to clerks: the product's own name, no taxauth or npm start outside 技术信息's developer and pairing lines and the install command", () => {
    for (const messages of [zh, en]) {
      const technical = Object.entries(messages).filter(([, entry]) => /taxauth|npm start/i.test(entry.message));
      expect(technical.map(([key]) => key)).toEqual(["techDeveloper", "browserPairingTech"]);
    }
    expect(zh.extName?.message).toBe("个税扣缴办税助手");
    // The full-tab pages' frame and the popup's bar show these, and the code outside 技术信息 none of its
    // own — but the one command a clerk hands on when nothing is installed (the offline screen's).
    for (const file of sourceFiles(extensionDir)) {
      const text = readFileSync(file, "utf8").replaceAll(
        '<pre class="start-companion-command mono">taxauth service install</pre>',
        "",
      );
      expect(text.match(/>[^<{]*(taxauth|npm start)[^<]*</i), file).toBeNull();
    }
  });

  it("use the seed's wording for the lock message, and say where to go when 忘记密码 cannot help", () => {
    const hall = "若通过此功能仍无法找回密码，请携带有效身份证件到本地办税服务厅进行密码重置。";
    expect(zh.accountLocked?.message).toBe(
      `密码错误超过5次(含)，账号已被锁定，可以在$P1$分钟之后再试，也可以通过【忘记密码】功能解锁账号。${hall}`,
    );
    expect(zh.forgotHallHint?.message).toBe(hall);
  });
});
