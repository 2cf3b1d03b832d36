/**
 * End to end, 扫码登录 (a login confirmed from another logged-in client) in real Chromium with the
 * built extension. Profile 1's popup switches to 扫码登录 and shows a QR code; profile 2 — another
 * Chromium profile where a person is logged in — scans a screenshot of it on its 扫一扫 page (the
 * picture goes in through the page's file input and is decoded there with jsQR), sees which client
 * asks and when, and confirms or cancels; the popup follows (扫描成功 with the masked name, then
 * logged in; or cancelled, with 刷新). Leaving the view closes its socket, so its code is dead. A
 * paired desktop client's QR code is approved the same way — once from a saved picture, once
 * through a (fake) camera filming it — and the client is logged in.
 * A short-lived code expires on screen (二维码已过期, 刷新 makes a new one), a companion that stops is
 * said to be gone (and the popup is back when it is), and a flood of other sockets' codes pushes the
 * shown one out (二维码已过期; 刷新 makes a new one at once).
 * Needs `npm run build:extension` first; `npm test` does it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, ElementHandle, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DesktopClient, DesktopError } from "../../shared/desktop/client.js";
import { QR_MAX_PENDING } from "../../shared/qr-login/contract.js";
import { newRequesterKeys } from "../../shared/qr-login/requester-keys.js";
import {
  expectAccessible,
  explainTimeout,
  type LaunchedBrowser,
  launchBrowser,
  loginInPopup,
  openExtensionPage,
  requireBuiltExtension,
  shot,
  shotsDir,
  textOf,
  waitForText,
} from "../support/browser.js";
import { api, type RunningCompanion, startCompanion } from "../support/companion.js";
import { pairDesktopClient } from "../support/desktop.js";
import { loginToken, newPerson, registerPerson, type TestPerson } from "../support/people.js";
import { connectQrSocket, showQr } from "../support/qr.js";

const QR_IMAGE = '[data-testid="qr-login-image"]';
const QR_COVER = '[data-testid="qr-login-cover"]';

let companion: RunningCompanion;
let approver: TestPerson;
let requesterProfile: LaunchedBrowser;
let approverProfile: LaunchedBrowser;
const clients: DesktopClient[] = [];

beforeAll(async () => {
  requireBuiltExtension();
  companion = await startCompanion({ captcha: "known" });
  approver = await registerPerson(companion, newPerson({ name: "宋晓明" }));
  [requesterProfile, approverProfile] = await Promise.all([
    launchBrowser({ companionUrl: companion.url }),
    launchBrowser({ companionUrl: companion.url }),
  ]);
});

afterAll(async () => {
  for (const client of clients) client.close();
  await requesterProfile?.close();
  await approverProfile?.close();
  await companion?.close();
});

/** The popup of popup size, switched to 扫码登录 with the corner toggle, once its QR code shows. */
async function openQrLogin(browser: Browser): Promise<Page> {
  const popup = await openExtensionPage(browser, "popup.html", 360, 640);
  await popup.waitForSelector("#account", { timeout: 15_000 });
  await popup.click('[data-testid="login-method-toggle"]');
  await waitForText(popup, '[data-testid="login-method"]', "扫码登录");
  await popup.waitForSelector(QR_IMAGE, { timeout: 15_000 }).catch((error) => explainTimeout(popup, "QR code", error));
  return popup;
}

/** The reference of the QR code on screen (its data-ref). */
const shownRef = (popup: Page) => popup.$eval(QR_IMAGE, (el) => el.getAttribute("data-ref") ?? "");

/** A screenshot of the popup's QR code alone, as a person would take it: the picture the approver scans. */
async function screenshotQr(popup: Page, name: string): Promise<string> {
  const path = join(shotsDir, name);
  await popup.bringToFront();
  const image = (await popup.$(QR_IMAGE)) as ElementHandle<Element>;
  await image.screenshot({ path });
  return path;
}

/** Profile 2's 扫一扫 page, opened fresh. */
async function scanPage(): Promise<Page> {
  const page = await openExtensionPage(approverProfile.browser, "scan.html", 1000, 900);
  await page.waitForSelector('[data-testid="scan-file"]', { timeout: 15_000 });
  return page;
}

/** Gives the 扫一扫 page a picture through its file input (【选择图片】). */
async function choosePicture(page: Page, path: string): Promise<void> {
  await page.bringToFront();
  const input = (await page.waitForSelector('[data-testid="scan-file"]')) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(path);
}

const secondsIn = (text: string, pattern: RegExp) => Number(text.match(pattern)?.[1] ?? Number.NaN);

describe("扫码登录: the popup shows the code, another profile's 扫一扫 approves it", () => {
  let popup: Page;
  let scan: Page;

  it("the login screen switches between 账号密码登录 and 扫码登录 in its top right corner", async () => {
    popup = await openExtensionPage(requesterProfile.browser, "popup.html", 360, 640);
    await popup.waitForSelector("#account");
    expect(await textOf(popup, '[data-testid="login-method"]')).toBe("账号密码登录");
    const toggle = await popup.$eval('[data-testid="login-method-toggle"]', (el) => ({
      label: el.getAttribute("aria-label"),
      right: Math.round(el.getBoundingClientRect().right),
    }));
    expect(toggle.label).toBe("切换到扫码登录");
    expect(toggle.right).toBeGreaterThan(300);

    await popup.click('[data-testid="login-method-toggle"]');
    expect(await waitForText(popup, '[data-testid="login-method"]', "扫码登录")).toBe("扫码登录");
    expect(await popup.$("#account")).toBeNull();
    await popup.waitForSelector(QR_IMAGE);
    expect(await popup.$eval(QR_IMAGE, (el) => (el as HTMLImageElement).alt)).toBe("扫码登录二维码");
    const countdown = await textOf(popup, '[data-testid="qr-login-countdown"]');
    expect(secondsIn(countdown, /二维码(\d+)秒后过期/)).toBeGreaterThan(100);
    expect(secondsIn(countdown, /二维码(\d+)秒后过期/)).toBeLessThanOrEqual(120);
    expect(await textOf(popup, '[data-testid="qr-login-hint"]')).toBe("请使用已登录的客户端【扫一扫】，扫描二维码登录");
    await shot(popup, "popup-qr-login.png");
    await expectAccessible(popup, "popup: 扫码登录");

    // And back: the password form again.
    await popup.click('[data-testid="login-method-toggle"]');
    await popup.waitForSelector("#account");
    await popup.close();
  });

  it("【手机端下载】 shows the app's QR code and its address", async () => {
    popup = await openQrLogin(requesterProfile.browser);
    await popup.click('[data-testid="app-download"]');
    await popup.waitForSelector('[data-testid="app-download-image"]');
    expect(await textOf(popup, '[data-testid="app-download-url"]')).toBe("https://www.chinatax.gov.cn/");
    expect(await popup.$eval('[data-testid="app-download-image"]', (el) => (el as HTMLImageElement).alt)).toBe(
      "个人所得税APP下载二维码",
    );
    await shot(popup, "popup-app-download.png");
    await expectAccessible(popup, "popup: 手机端下载");
    // Back to the same login code, still counting down.
    const before = await popup.$eval('[data-testid="app-download-image"]', (el) => (el as HTMLImageElement).src);
    await popup.click('[data-testid="app-download-back"]');
    await popup.waitForSelector(QR_IMAGE);
    expect(await popup.$eval(QR_IMAGE, (el) => (el as HTMLImageElement).src)).not.toBe(before);
  });

  it("扫一扫 needs a logged-in session", async () => {
    const page = await openExtensionPage(requesterProfile.browser, "scan.html", 1000, 900);
    expect(await waitForText(page, '[data-testid="scan-login-needed"]', "请先登录")).toContain("扫一扫");
    expect(await page.$('[data-testid="scan-file"]')).toBeNull();
    await expectAccessible(page, "scan: login needed");
    await page.close();
  });

  it("the logged-in popup opens 扫一扫 in a tab; without a camera the page says so and takes a picture instead", async () => {
    const approverPopup = await loginInPopup(approverProfile.browser, approver);
    await approverPopup.click('[data-testid="open-scan"]');
    const tab = await approverProfile.browser.waitForTarget((target) => target.url().endsWith("/scan.html"));
    scan = (await tab.page()) as Page;
    expect(scan.url()).toMatch(/\/scan\.html$/);
    await scan.setViewport({ width: 1000, height: 900 });
    await scan.waitForSelector('[data-testid="scan-file"]');
    // Headless Chromium here has no camera (nor a way to ask for one): the page says what to do instead.
    const problem = await textOf(scan, '[data-testid="scan-camera-problem"]');
    expect(problem).toMatch(/未检测到可用的摄像头|未获得摄像头权限/);
    expect(problem).toContain("二维码图片");
    await shot(scan, "scan-no-camera.png");
    await expectAccessible(scan, "scan: no camera");
  });

  it("a picture with no QR code, and a QR code that is not a login code, are refused with a clear message", async () => {
    const blank = join(shotsDir, "scan-blank.png");
    await popup.bringToFront();
    await (await popup.$('[data-testid="qr-login-hint"]'))?.screenshot({ path: blank });
    await choosePicture(scan, blank);
    expect(await textOf(scan, '[data-testid="scan-error"]')).toBe(
      "未在图片中识别到二维码，请换一张清晰、完整的二维码图片",
    );
    const appQr = join(shotsDir, "scan-app-download.svg");
    writeFileSync(appQr, (await api(companion, "/api/app-download")).body.appQrSvg);
    await choosePicture(scan, appQr);
    await waitForText(scan, '[data-testid="scan-error"]', "这不是扣缴客户端的登录二维码");
    await expectAccessible(scan, "scan: not a login code");
  });

  it("profile 2 scans a screenshot of the code: the popup says 扫描成功 with the masked name; the page shows who asks, when, and for how long", async () => {
    const picture = await screenshotQr(popup, "qr-login-code.png");
    const asked = Date.now();
    // Whatever zone this computer is in, times are Shanghai's (the companion's and the grants').
    await scan.emulateTimezone("America/New_York");
    await choosePicture(scan, picture);

    const client = await textOf(scan, '[data-testid="scan-confirm-client"]');
    expect(client).toMatch(/^浏览器扩展：Chrome \d+ · Linux$/);
    const time = await textOf(scan, '[data-testid="scan-confirm-time"]');
    expect(time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    // Shanghai time, within a minute of now.
    expect(Math.abs(Date.parse(`${time.replace(" ", "T")}+08:00`) - asked)).toBeLessThan(60_000);
    const left = secondsIn(await textOf(scan, '[data-testid="scan-confirm-left"]'), /还剩(\d+)秒/);
    expect(left).toBeGreaterThan(60);
    expect(left).toBeLessThanOrEqual(120);
    expect(await textOf(scan, '[data-testid="scan-confirm-warning"]')).toContain(
      "如果这不是您本人发起的登录，请点击【取消】",
    );
    expect(await textOf(scan, '[data-testid="scan-confirm-login"]')).toBe("确认登录");
    expect(await textOf(scan, '[data-testid="scan-cancel"]')).toBe("取消");
    await shot(scan, "scan-confirm.png");
    await expectAccessible(scan, "scan: 确认登录");

    // The requester already knows it was scanned, and by whom (masked) — before anything is confirmed.
    const scanned = await waitForText(popup, '[data-testid="qr-login-scanned"]', "扫描成功");
    // 确认 happens on the scanning client here, not on a phone.
    expect(scanned).toContain("扫描成功，请在扫码的设备上确认登录");
    expect(scanned).toContain("**明");
    expect(scanned).not.toContain("宋晓明");
    expect(await popup.$('[data-testid="logged-in"]')).toBeNull();
    await shot(popup, "popup-qr-scanned.png");
    await expectAccessible(popup, "popup: 扫码登录 scanned");
  });

  it("确认登录: the popup is logged in as the approver, with a session of its own that survives a reopen", async () => {
    await scan.bringToFront();
    await scan.click('[data-testid="scan-confirm-login"]');
    expect(await textOf(scan, '[data-testid="scan-done-title"]')).toBe("已确认登录");
    await shot(scan, "scan-done.png");
    await expectAccessible(scan, "scan: 已确认登录");

    expect(await waitForText(popup, '[data-testid="person-name"]', "**明")).toBe("**明");
    expect(await textOf(popup, '[data-testid="person-login-name"]')).toBe(approver.loginName);
    await shot(popup, "popup-qr-logged-in.png");
    await popup.reload();
    expect(await textOf(popup, '[data-testid="person-name"]')).toBe("**明");
  });

  it("取消: the popup says the login was cancelled; 刷新 shows a new code; the old one is refused", async () => {
    await popup.click('[data-testid="logout"]');
    await popup.waitForSelector("#account");
    await popup.close();
    popup = await openQrLogin(requesterProfile.browser);
    const cancelledRef = await shownRef(popup);
    const picture = await screenshotQr(popup, "qr-login-code-2.png");

    await scan.bringToFront();
    await scan.click('[data-testid="scan-again"]');
    await choosePicture(scan, picture);
    await waitForText(scan, '[data-testid="scan-confirm-client"]', "浏览器扩展");
    await waitForText(popup, '[data-testid="qr-login-scanned"]', "扫描成功");
    await scan.bringToFront();
    await scan.click('[data-testid="scan-cancel"]');
    expect(await textOf(scan, '[data-testid="scan-done-title"]')).toBe("已取消登录");

    expect(await waitForText(popup, QR_COVER, "已取消本次登录")).toContain("刷新");
    await shot(popup, "popup-qr-cancelled.png");
    await expectAccessible(popup, "popup: 扫码登录 cancelled");
    await popup.click('[data-testid="qr-login-refresh"]');
    await popup
      .waitForFunction(
        (selector, old) => {
          const ref = document.querySelector(selector)?.getAttribute("data-ref");
          return ref && ref !== old && !document.querySelector('[data-testid="qr-login-cover"]');
        },
        { timeout: 15_000 },
        QR_IMAGE,
        cancelledRef,
      )
      .catch((error) => explainTimeout(popup, "a new QR code after 刷新", error));
    expect(await popup.$('[data-testid="logged-in"]')).toBeNull();

    // The cancelled code cannot be scanned again.
    await scan.bringToFront();
    await scan.click('[data-testid="scan-again"]');
    await choosePicture(scan, picture);
    expect(await textOf(scan, '[data-testid="scan-error"]')).toMatch(/已取消|已被使用/);
  });

  it("leaving 扫码登录 closes its socket: the code it showed can no longer be used", async () => {
    const left = await openQrLogin(requesterProfile.browser);
    const ref = await shownRef(left);
    const picture = await screenshotQr(left, "qr-login-code-left.png");
    await left.click('[data-testid="login-method-toggle"]');
    await left.waitForSelector("#account");
    // The companion drops the unscanned code when it sees the socket close; wait for that rather than race it.
    await expect
      .poll(() => companion.app.core.sql.value("SELECT state FROM qr_logins WHERE ref = ?", [ref]), {
        timeout: 5_000,
        interval: 50,
      })
      .toBeUndefined();

    await choosePicture(scan, picture);
    await waitForText(scan, '[data-testid="scan-error"]', "二维码无效，请重新扫描");
    await left.close();
  });
});

describe("扫码登录 of a desktop client, approved on the 扫一扫 page", () => {
  it("the paired client's QR code (its SVG saved as a file) is confirmed in the browser; the client is logged in", async () => {
    const { client } = await pairDesktopClient(
      companion,
      await loginToken(companion, approver),
      "扣缴客户端（财务室）",
    );
    clients.push(client);
    const { keys, created } = await showQr(client);
    const picture = join(shotsDir, "desktop-qr-login.svg");
    writeFileSync(picture, created.qrSvg);
    const scannedEvent = client.nextEvent("qr.scanned");

    const scan = await scanPage();
    await choosePicture(scan, picture);
    expect(await textOf(scan, '[data-testid="scan-confirm-client"]')).toBe("桌面客户端：扣缴客户端（财务室）");
    expect((await scannedEvent).approverName).toBe("**明");

    // Not logged in until it is confirmed and redeemed.
    const notYet = await client.request("units.list", {}).catch((error: DesktopError) => error);
    expect(notYet).toBeInstanceOf(DesktopError);
    expect((notYet as DesktopError).code).toBe("NOT_LOGGED_IN");

    const confirmed = client.nextEvent("qr.confirmed");
    await scan.click('[data-testid="scan-confirm-login"]');
    await confirmed;
    expect(await textOf(scan, '[data-testid="scan-done"]')).toContain("桌面客户端“扣缴客户端（财务室）”将自动完成登录");
    const redeemed = await client.request("qr.redeem", {
      ref: created.ref,
      proof: await keys.proofFor(created.challenge),
    });
    expect(redeemed.person.maskedName).toBe("**明");
    expect((await client.request("units.list", {})).totals.count).toBe(0);
    await scan.close();
  });
});

/**
 * A camera that films `svg` (the QR code, 300 px on a white 640×480 picture): a Y4M file for
 * Chromium's fake capture device. The picture is drawn by `page` (any page will do), the file
 * written here: one luma plane, and neutral chroma.
 */
async function cameraFilming(page: Page, svg: string, name: string): Promise<string> {
  const [width, height] = [640, 480];
  const luma = await page.evaluate(
    async (source, w, h) => {
      const image = new Image();
      image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(source)}`;
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const context = canvas.getContext("2d") as CanvasRenderingContext2D;
      context.fillStyle = "#fff";
      context.fillRect(0, 0, w, h);
      context.imageSmoothingEnabled = false;
      context.drawImage(image, (w - 300) / 2, (h - 300) / 2, 300, 300);
      const { data } = context.getImageData(0, 0, w, h);
      const y: number[] = [];
      for (let i = 0; i < data.length; i += 4)
        y.push(Math.round(0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!));
      return y;
    },
    svg,
    width,
    height,
  );
  const frame = Buffer.concat([
    Buffer.from("FRAME\n"),
    Buffer.from(luma),
    Buffer.alloc((width / 2) * (height / 2) * 2, 128),
  ]);
  const path = join(shotsDir, name);
  writeFileSync(
    path,
    Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), frame, frame, frame]),
  );
  return path;
}

describe("扫一扫 with a camera", () => {
  let filmed: LaunchedBrowser;
  afterAll(async () => {
    await filmed?.close();
  });

  it("the live picture is read as it comes: the desktop client's code is found without a picture file, and confirmed", async () => {
    const { client } = await pairDesktopClient(companion, await loginToken(companion, approver), "扣缴客户端（前台）");
    clients.push(client);
    const { keys, created } = await showQr(client);
    const drawing = await openExtensionPage(approverProfile.browser, "options.html", 400, 300);
    const video = await cameraFilming(drawing, created.qrSvg, "camera-desktop-qr.y4m");
    await drawing.close();

    filmed = await launchBrowser({
      companionUrl: companion.url,
      args: [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        `--use-file-for-fake-video-capture=${video}`,
      ],
    });
    await (await loginInPopup(filmed.browser, approver)).close();
    const page = await openExtensionPage(filmed.browser, "scan.html", 1000, 900);
    // The preview runs, then the code in it is read; the camera goes off with the confirmation screen.
    expect(await textOf(page, '[data-testid="scan-confirm-client"]')).toBe("桌面客户端：扣缴客户端（前台）");
    expect(await page.$("video")).toBeNull();
    await shot(page, "scan-camera-confirm.png");

    const confirmed = client.nextEvent("qr.confirmed");
    await page.click('[data-testid="scan-confirm-login"]');
    await confirmed;
    await client.request("qr.redeem", { ref: created.ref, proof: await keys.proofFor(created.challenge) });
    expect((await client.request("units.list", {})).totals.count).toBe(0);
  });
});

describe("扫码登录: expiry, the companion going away, and the creation limit", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "taxauth-test-qr-"));
  let shortLived: RunningCompanion;
  let profile: LaunchedBrowser;
  let popup: Page;
  const startShortLived = (port?: number) =>
    startCompanion({ qrLoginTtlSeconds: 10, dataDir, ...(port === undefined ? {} : { port }) });

  beforeAll(async () => {
    shortLived = await startShortLived();
    profile = await launchBrowser({ companionUrl: shortLived.url });
  });
  afterAll(async () => {
    await profile?.close();
    await shortLived?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Resolves once the popup shows a QR code other than `old`, with nothing covering it. */
  const newCodeShown = (old: string, what: string) =>
    popup
      .waitForFunction(
        (selector, previous) => {
          const ref = document.querySelector(selector)?.getAttribute("data-ref");
          return ref && ref !== previous && !document.querySelector('[data-testid="qr-login-cover"]');
        },
        { timeout: 15_000 },
        QR_IMAGE,
        old,
      )
      .catch((error) => explainTimeout(popup, what, error));

  it("an unscanned code expires on screen: 二维码已过期 covers it, and 刷新 makes a new one", async () => {
    popup = await openQrLogin(profile.browser);
    const first = await shownRef(popup);
    const countdown = secondsIn(await textOf(popup, '[data-testid="qr-login-countdown"]'), /二维码(\d+)秒后过期/);
    expect(countdown).toBeGreaterThan(0);
    expect(countdown).toBeLessThanOrEqual(10);
    expect(await popup.$(QR_COVER)).toBeNull();

    expect(await waitForText(popup, QR_COVER, "二维码已过期", 20_000)).toContain("刷新");
    expect(await popup.$('[data-testid="qr-login-countdown"]')).toBeNull();
    await shot(popup, "popup-qr-expired.png");
    await expectAccessible(popup, "popup: 扫码登录 expired");

    await popup.click('[data-testid="qr-login-refresh"]');
    await newCodeShown(first, "a new QR code after 刷新");
    const again = secondsIn(await textOf(popup, '[data-testid="qr-login-countdown"]'), /二维码(\d+)秒后过期/);
    expect(again).toBeGreaterThan(5);
  });

  it("the companion stops while a code is shown: the offline screen covers the popup, which is back at 扫码登录 by itself once the companion is; 刷新 works", async () => {
    const shown = await shownRef(popup);
    const { port } = shortLived;
    await shortLived.close();
    // The code's socket closed: the popup asks at once, and finds nothing.
    const offline = await waitForText(popup, '[data-testid="companion-offline"]', "本地服务未运行");
    expect(offline).toContain(`http://127.0.0.1:${port}`);
    await shot(popup, "popup-qr-offline.png");
    await expectAccessible(popup, "popup: 扫码登录 without the companion");

    shortLived = await startShortLived(port);
    await popup
      .waitForSelector('[data-testid="companion-offline"]', { hidden: true, timeout: 20_000 })
      .catch((error) => explainTimeout(popup, "the popup back without the offline screen", error));
    expect(await waitForText(popup, QR_COVER, "与本地服务的连接已断开")).toContain("刷新");
    await popup.click('[data-testid="qr-login-refresh"]');
    await newCodeShown(shown, "a new QR code once the companion is back");
    await popup.close();
  });
});

describe("扫码登录 under a flood of codes", () => {
  let profile: LaunchedBrowser;
  beforeAll(async () => {
    profile = await launchBrowser({ companionUrl: companion.url });
  });
  afterAll(() => profile?.close());

  it("other sockets' codes push the shown one out: 二维码已过期 at once, and 刷新 shows a new code", async () => {
    const popup = await openQrLogin(profile.browser);
    const first = await shownRef(popup);
    const { publicKey } = await newRequesterKeys();
    for (let i = 0; i < QR_MAX_PENDING; i += 50) {
      const flood = await Promise.all(Array.from({ length: 50 }, () => connectQrSocket(companion)));
      clients.push(...flood);
      await Promise.all(flood.map((socket) => socket.request("qr.create", { publicKey })));
    }
    expect(await waitForText(popup, QR_COVER, "二维码已过期", 10_000)).toContain("刷新");
    await popup.click('[data-testid="qr-login-refresh"]');
    await popup
      .waitForFunction(
        (selector, previous) => {
          const ref = document.querySelector(selector)?.getAttribute("data-ref");
          return ref && ref !== previous && !document.querySelector('[data-testid="qr-login-cover"]');
        },
        { timeout: 10_000 },
        QR_IMAGE,
        first,
      )
      .catch((error) => explainTimeout(popup, "a new QR code after 刷新", error));
    await popup.close();
  });
});
