import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jsqr from "jsqr";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DesktopError } from "../../shared/desktop/client.js";
import { DESKTOP_PATH } from "../../shared/desktop/protocol.js";
import { api, manualClock, type RunningCompanion, startCompanion } from "../support/companion.js";
import { type Desk, runDesk } from "../support/desk.js";
import { pairDesktopClient } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { connectQrSocket, showQr } from "../support/qr.js";
import { addUnit } from "../support/units.js";

/**
 * 扫码登录 with the reference desktop client, run as a person runs it (the built bin, a child
 * process) against the real companion: `taxauth-desk login --qr` approved in the browser (the 扫一扫
 * page's HTTP calls) or by another `taxauth-desk`, and `taxauth-desk approve` confirming or
 * cancelling a code shown by the popup.
 */

const repoRoot = join(import.meta.dirname, "..", "..");
const CLIENT_NAME = "扣缴客户端（财务室）";
const QR_TEXT = /taxauth-qr:1:[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/;

let companion: RunningCompanion;
let clock: ReturnType<typeof manualClock>;
let clerk: TestPerson;
let clerkToken: string;
let configDir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(join(repoRoot, "dist", "desktop-client", "main.js"))) {
    throw new Error("taxauth-desk is not built: run `npm run build:companion` first");
  }
});

beforeEach(async () => {
  clock = manualClock(Date.now());
  companion = await startCompanion({ clock });
  clerk = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  clerkToken = await loginToken(companion, clerk);
  configDir = mkdtempSync(join(tmpdir(), "taxauth-desk-qr-test-"));
  // Paired as `taxauth-desk pair` is (tested in taxauth-desk.test.ts): the token in the config file.
  const { client, clientToken } = await pairDesktopClient(companion, clerkToken, CLIENT_NAME);
  client.close();
  const url = `${companion.url.replace("http", "ws")}${DESKTOP_PATH}`;
  writeFileSync(
    join(configDir, "client.json"),
    JSON.stringify({ clientToken, clientName: CLIENT_NAME, url, pairedAt: new Date().toISOString() }),
    { mode: 0o600 },
  );
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await companion.close();
  rmSync(configDir, { recursive: true, force: true });
});

const desk = (args: string[], options: { env?: Record<string, string>; input?: string } = {}): Desk =>
  runDesk(companion, configDir, children, args, options);
const as = (person: TestPerson) => ({ env: { TAXAUTH_DESK_PASSWORD: person.password } });

/** The approver's HTTP calls, as the extension's 扫一扫 page makes them. */
const scan = (qrText: string) => api(companion, "/api/qr-login/scan", { token: clerkToken, body: { qrText } });
const decide = (decision: "confirm" | "cancel", ref: string) =>
  api(companion, `/api/qr-login/${decision}`, { token: clerkToken, body: { ref } });

/** The n-th QR text the desk printed (1-based), once it is there. */
async function shownCode(run: Desk, n = 1): Promise<string> {
  const all = new RegExp(`二维码内容（可复制）：(${QR_TEXT.source})`, "g");
  for (let waited = 0; waited < 15_000; waited += 25) {
    const found = [...run.output().matchAll(all)];
    if (found.length >= n) return found[n - 1]![1]!;
    if (run.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`taxauth-desk never showed QR code #${n}; it printed:\n${run.output()}`);
}

/**
 * Reads the QR code drawn in the terminal back, as a phone's camera would: half blocks in the
 * foreground (black) are dark modules, spaces light; the drawing's last line is only the bottom
 * quiet zone (drawn in the background colour). Decoded with jsQR from a picture of 4 px modules.
 */
function decodeTerminalQr(output: string): string | null {
  const lines = output
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's colour codes
    .replace(/\x1b\[[0-9;]*m/g, "")
    .split("\n")
    .filter((line) => /^[ ▀▄█]{21,}$/.test(line));
  const drawn = lines.filter((line) => !/^▀+$/.test(line));
  const modules: boolean[][] = drawn.flatMap((line) => [
    [...line].map((c) => c === "▀" || c === "█"),
    [...line].map((c) => c === "▄" || c === "█"),
  ]);
  const scale = 4;
  const quiet = 4;
  const size = (Math.max(...modules.map((row) => row.length)) + 2 * quiet) * scale;
  const height = (modules.length + 2 * quiet) * scale;
  const pixels = new Uint8ClampedArray(size * height * 4).fill(255);
  for (const [y, row] of modules.entries()) {
    for (const [x, dark] of row.entries()) {
      if (!dark) continue;
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const at = (((y + quiet) * scale + dy) * size + (x + quiet) * scale + dx) * 4;
          pixels.fill(0, at, at + 3); // black, opaque
        }
    }
  }
  // A CommonJS module: its types name the function `default` (it is also the module itself).
  return jsqr.default(pixels, size, height)?.data ?? null;
}

describe("taxauth-desk login --qr (the requester)", () => {
  it("draws the code, says who scanned, and is logged in once 确认登录 is chosen in the browser", async () => {
    const run = desk(["login", "--qr"]);
    const qrText = await shownCode(run);
    // How long it lasts comes in the next write.
    await run.waitFor(/二维码 120 秒内有效/);
    const output = run.output();
    // The QR code itself, drawn with half blocks.
    expect(decodeTerminalQr(output)).toBe(qrText);
    const seen = await scan(qrText);
    expect(seen.body).toMatchObject({ clientKind: "desktop", clientName: CLIENT_NAME });
    await run.waitFor(/扫描成功，请在扫码的设备上确认登录（扫码人：\*\*明）/);
    expect((await decide("confirm", seen.body.ref)).status).toBe(204);
    expect(await run.exitCode, run.output()).toBe(0);
    expect(run.output()).toContain(`已登录：**明（${clerk.loginName}），扫码登录`);
  });

  it("units --qr: the same login, then 单位管理 on that connection", async () => {
    const unit = (await addUnit(companion, { name: "广东QJ4核定4" })).tin;
    const run = desk(["units", "--qr", "--add", unit]);
    const { body } = await scan(await shownCode(run));
    await decide("confirm", body.ref);
    expect(await run.exitCode, run.output()).toBe(0);
    expect(run.output()).toMatch(new RegExp(`^1\\s+${unit}\\s+广东QJ4核定4`, "m"));
    expect(run.output()).toContain("单位总数: 1");
  });

  it("approved by another taxauth-desk: approve <二维码内容> --yes", async () => {
    const run = desk(["login", "--qr"]);
    const qrText = await shownCode(run);
    const approver = desk(["approve", qrText, "--account", clerk.loginName, "--yes"], as(clerk));
    expect(await approver.exitCode, approver.output()).toBe(0);
    expect(approver.output()).toContain(`请求登录：桌面客户端「${CLIENT_NAME}」`);
    expect(approver.output()).toContain(`已确认登录：桌面客户端「${CLIENT_NAME}」将以您的身份登录`);
    expect(await run.exitCode, run.output()).toBe(0);
    expect(run.output()).toContain("已登录：**明");
  });

  it("取消 in the browser: says so, with the code, and exits 1", async () => {
    const run = desk(["login", "--qr"]);
    const { body } = await scan(await shownCode(run));
    await run.waitFor(/扫描成功/);
    await decide("cancel", body.ref);
    expect(await run.exitCode).toBe(1);
    expect(run.output()).toContain("错误：该登录请求已取消");
    expect(run.output()).toContain("错误代码：QR_CANCELLED");
    expect(run.output()).not.toContain("已登录：");
  });

  it("二维码已过期: Enter gives a new code that works; the end of input gives up with QR_EXPIRED", async () => {
    const run = desk(["login", "--qr"], { input: "\n" });
    const first = await shownCode(run);
    clock.advance(120_000);
    await run.waitFor(/二维码已过期\n按回车键刷新二维码/);
    const second = await shownCode(run, 2);
    expect(second).not.toBe(first);
    expect((await scan(first)).body.code).toBe("QR_EXPIRED");
    const { body } = await scan(second);
    await decide("confirm", body.ref);
    expect(await run.exitCode, run.output()).toBe(0);
    expect(run.output()).toContain("已登录：**明");

    const givesUp = desk(["login", "--qr"]);
    await shownCode(givesUp);
    clock.advance(120_000);
    expect(await givesUp.exitCode).toBe(1);
    expect(givesUp.output()).toContain("错误：二维码已过期");
    expect(givesUp.output()).toContain("错误代码：QR_EXPIRED");
  });

  it("--refresh replaces an expired code at once", async () => {
    const run = desk(["login", "--qr", "--refresh"]);
    await shownCode(run);
    clock.advance(120_000);
    const { body } = await scan(await shownCode(run, 2));
    await decide("confirm", body.ref);
    expect(await run.exitCode, run.output()).toBe(0);
    expect(run.output()).toContain("正在刷新二维码");
  });

  it("refuses --qr with --account", async () => {
    const run = desk(["units", "--qr", "--account", clerk.loginName]);
    expect(await run.exitCode).toBe(1);
    expect(run.output()).toContain("--qr（扫码登录）与 --account（账号密码登录）只能选一个");
  });
});

describe("taxauth-desk approve (the approver)", () => {
  /** The popup's 扫码登录 view showing a code, hearing what happens to it. */
  async function popupShowing() {
    const popup = await connectQrSocket(companion);
    const shown = await showQr(popup);
    return { popup, ...shown };
  }

  it("shows who asks and when, with the warning; y confirms and the popup redeems a working session", async () => {
    const { popup, keys, created } = await popupShowing();
    const scanned = popup.nextEvent("qr.scanned");
    const confirmed = popup.nextEvent("qr.confirmed");
    const run = desk(["approve", created.qrText, "--account", clerk.loginName], { ...as(clerk), input: "y\n" });
    expect(await run.exitCode, run.output()).toBe(0);
    const output = run.output();
    expect(output).toContain("已登录：**明");
    expect(output).toContain("请求登录：浏览器扩展「Chrome 131 · Linux」");
    expect(output).toMatch(/请求时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    expect(output).toContain("如果这不是您本人发起的登录，请选择取消");
    expect(output).toContain("确认登录? [y/N]");
    expect(output).toContain("已确认登录");
    expect((await scanned).approverName).toBe("**明");
    await confirmed;
    const redeemed = await popup.request("qr.redeem", {
      ref: created.ref,
      proof: await keys.proofFor(created.challenge),
    });
    const token = await keys.openToken(redeemed.sealedToken);
    expect(await api(companion, "/api/session", { token })).toMatchObject({
      status: 200,
      body: { person: { loginName: clerk.loginName } },
    });
    popup.close();
  });

  it("取消 is the default answer, and --cancel does it without asking: the popup hears qr.cancelled", async () => {
    for (const how of [{ input: "\n" }, { args: ["--cancel"] }]) {
      const { popup, created } = await popupShowing();
      const cancelled = popup.nextEvent("qr.cancelled");
      const run = desk(["approve", created.qrText, "--account", clerk.loginName, ...(how.args ?? [])], {
        ...as(clerk),
        input: how.input ?? "",
      });
      expect(await run.exitCode, run.output()).toBe(0);
      expect(run.output()).toContain("已取消该登录请求");
      expect(run.output().includes("确认登录? [y/N]")).toBe(!how.args);
      await cancelled;
      const refused = await popup
        .request("qr.redeem", { ref: created.ref, proof: "AAAA" })
        .catch((error: DesktopError) => error.code);
      expect(refused).toBe("QR_CANCELLED");
      popup.close();
    }
  });

  it("refuses clearly, with the stable code: not a code, an expired one, one already used", async () => {
    const garbage = desk(["approve", "https://example.com/", "--account", clerk.loginName], as(clerk));
    expect(await garbage.exitCode).toBe(1);
    expect(garbage.output()).toContain("错误：二维码无效，请重新扫描");
    expect(garbage.output()).toContain("错误代码：QR_NOT_FOUND");
    // Refused before any login.
    expect(garbage.output()).not.toContain("已登录");

    const { popup, created } = await popupShowing();
    await scan(created.qrText);
    await decide("confirm", created.ref);
    const used = desk(["approve", created.qrText, "--account", clerk.loginName, "--yes"], as(clerk));
    expect(await used.exitCode).toBe(1);
    expect(used.output()).toContain("错误代码：QR_ALREADY_USED");

    const late = await popupShowing();
    clock.advance(120_000);
    const expired = desk(["approve", late.created.qrText, "--account", clerk.loginName, "--yes"], as(clerk));
    expect(await expired.exitCode).toBe(1);
    expect(expired.output()).toContain("错误：二维码已过期，请在登录界面刷新");
    expect(expired.output()).toContain("错误代码：QR_EXPIRED");

    const both = desk(["approve", late.created.qrText, "--yes", "--cancel"]);
    expect(await both.exitCode).toBe(1);
    expect(both.output()).toContain("--yes 与 --cancel 只能选一个");
    popup.close();
    late.popup.close();
  });
});
