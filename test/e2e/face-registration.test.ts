/**
 * End to end, 人脸识别认证注册 in a real Chromium with the built extension and a fake camera
 * (--use-file-for-fake-video-capture) playing a video made from test photos: a face turning from
 * one side to the other (the photo, then its mirror image). The person enrolled in the hall with
 * that face registers by face and finishes the account step; a person enrolled with another face
 * is refused, with the reason on the page.
 * Needs `npm run build` first (extension and the taxauth CLI); `npm test` does it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectAccessible,
  fill,
  fillAccountStep,
  type LaunchedBrowser,
  launchBrowser,
  openExtensionPage,
  requireBuiltExtension,
  shot,
  waitForText,
} from "../support/browser.js";
import { api, lastSmsCode, type RunningCompanion, startCompanion } from "../support/companion.js";
import { enrollPortrait, faceById, mirrored, sampleFaces, type TestFace } from "../support/faces.js";
import { newPerson, type TestPerson } from "../support/people.js";

const SLOW = 180_000;
/** Chromium plays MJPEG files at 30 frames a second, in a loop. */
const FPS = 30;

let companion: RunningCompanion;
let launched: LaunchedBrowser;
let browser: Browser;
let videoDir: string;

/** A 640×480 frame with the face in the middle, on grey. */
async function frame(image: Buffer): Promise<Buffer> {
  const face = await sharp(image).resize({ height: 420, width: 600, fit: "inside" }).toBuffer();
  return sharp({ create: { width: 640, height: 480, channels: 3, background: "#9a9a9a" } })
    .composite([{ input: face, gravity: "centre" }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The head turn as a fake camera video: one second of the photo, one second of its mirror image. */
async function headTurnVideo(face: TestFace): Promise<string> {
  const [one, other] = [await frame(face.crop), await frame(await mirrored(face.crop))];
  const file = join(videoDir, "head-turn.mjpeg");
  writeFileSync(file, Buffer.concat([...Array(FPS).fill(one), ...Array(FPS).fill(other)]));
  return file;
}

beforeAll(async () => {
  requireBuiltExtension();
  await sampleFaces();
  videoDir = mkdtempSync(join(tmpdir(), "taxauth-e2e-camera-"));
  const video = await headTurnVideo(await faceById("1.0"));
  companion = await startCompanion();
  launched = await launchBrowser({
    companionUrl: companion.url,
    args: [
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  browser = launched.browser;
}, SLOW);

afterAll(async () => {
  await launched?.close();
  await companion?.close();
  rmSync(videoDir, { recursive: true, force: true });
});

const enroll = (person: { docNumber: string; name: string }, face: TestFace) => enrollPortrait(companion, person, face);

/** Register page → 人脸识别认证注册 → agreement → 居民身份证 and 姓名 → 开始人脸识别. */
async function startFaceRegistration(person: TestPerson): Promise<Page> {
  const page = await openExtensionPage(browser, "register.html", 1100, 900);
  await page.waitForSelector('input[name="registerMethod"][value="face"]');
  await page.click('input[name="registerMethod"][value="face"]');
  // The agreement speaks of the face check now, not of a hall code.
  const agreement = await waitForText(page, '[data-testid="agreement-text"]', "人脸识别");
  expect(agreement).toContain("公安人像数据");
  expect(agreement).not.toContain("注册码有效期");
  await page.click("#agree");
  await page.click('[data-testid="agreement-next"]');
  await page.waitForSelector("#docNumber");
  // 人脸识别认证注册 is for 居民身份证 only.
  expect(await page.$eval("#docType", (el) => (el as HTMLSelectElement).disabled)).toBe(true);
  await fill(page, "#docNumber", person.docNumber);
  await fill(page, "#name", person.name);
  await page.click('[data-testid="face-start"]');
  await page.waitForSelector('[data-testid="face-capture"]');
  return page;
}

describe("人脸识别认证注册 in Chromium, with a fake camera", () => {
  it(
    "the enrolled person registers by face, then sets 登录名, 密码 and 手机号",
    async () => {
      const person = newPerson({ name: "宋晓明" });
      await enroll(person, await faceById("1.0"));
      const page = await startFaceRegistration(person);
      // The guidance runs while frames are taken.
      await waitForText(page, '[data-testid="face-status"]', "转头", 15_000);
      await shot(page, "register-face-capture.png");
      await expectAccessible(page, "register: face capture");
      await page.waitForSelector("#loginName", { timeout: 90_000 });

      await fillAccountStep(page, person, (phone) => lastSmsCode(companion.dataDir, phone));
      await page.waitForSelector('[data-testid="register-done"]');
      await shot(page, "register-face-done.png");

      const stored = await companion.app.core.people.byDocument("居民身份证", person.docNumber);
      expect(stored?.name).toBe("宋晓明");
      expect(await companion.app.core.sql.value("SELECT registered_via FROM people WHERE id = ?", [stored!.id])).toBe(
        "face",
      );
      expect(
        (await api(companion, "/api/login", { body: { account: person.loginName, password: person.password } })).status,
      ).toBe(200);
      await page.close();
    },
    SLOW,
  );

  it(
    "another person (enrolled with a different face) is refused, and told why",
    async () => {
      const person = newPerson({ name: "李四" });
      await enroll(person, await faceById("4.2"));
      const page = await startFaceRegistration(person);
      const refusal = await waitForText(page, '[data-testid="form-error"]', "人脸识别未通过", 90_000);
      expect(refusal).toBe("人脸识别未通过：与公安人像库中的照片不一致");
      expect(await page.$('[data-testid="face-retry"]')).not.toBeNull();
      // Counted: the retry needs the captcha, answered first.
      await page.waitForSelector('[data-testid="captcha-image"]');
      expect(await page.$("#loginName")).toBeNull();
      await shot(page, "register-face-refused.png");
      await expectAccessible(page, "register: face refused");
      expect(await companion.app.core.people.byDocument("居民身份证", person.docNumber)).toBeNull();
      await page.close();
    },
    SLOW,
  );

  it(
    "without a camera, the page says so and offers to try again",
    async () => {
      const noCamera = await launchBrowser({ companionUrl: companion.url });
      try {
        const page = await openExtensionPage(noCamera.browser, "register.html", 1100, 900);
        await page.waitForSelector('input[name="registerMethod"][value="face"]');
        await page.click('input[name="registerMethod"][value="face"]');
        await page.click("#agree");
        await page.click('[data-testid="agreement-next"]');
        const person = newPerson();
        await fill(page, "#docNumber", person.docNumber);
        await fill(page, "#name", person.name);
        await page.click('[data-testid="face-start"]');
        const message = await waitForText(page, '[data-testid="form-error"]', "摄像头");
        expect(message).toMatch(/未检测到摄像头|未获得摄像头权限/);
        expect(await page.$('[data-testid="face-retry"]')).not.toBeNull();
      } finally {
        await noCamera.close();
      }
    },
    SLOW,
  );
});
