/**
 * End to end, 人脸识别认证注册 in a real Chromium with the built extension and a fake camera
 * (--use-file-for-fake-video-capture) playing a one-frame y4m video. The page asks for a challenge
 * the companion picks at random, so no fixed video answers it: the test plays the person in front of
 * the camera, reading the guidance the page shows and rewriting that frame in place with the move
 * asked (Chromium reads the y4m frame from the file again for every frame it delivers). The moves are
 * made from test photos (test/support/faces.ts); none of them looks straight at the camera, so while
 * the page says 请正对摄像头 the person is already making the first move of the list the page shows,
 * which the check reads as that move begun early. The person enrolled in the hall with that face
 * registers by face and finishes the account step; a person enrolled with another face is refused,
 * with the reason on the page.
 * Needs `npm run build` first (extension and the taxauth CLI); `npm test` does it.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaceStep } from "../../shared/api/accounts.js";
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
import { enrollPortrait, faceById, poseFrame, sampleFaces, type TestFace } from "../support/faces.js";
import { newPerson, type TestPerson } from "../support/people.js";

const SLOW = 180_000;
const [WIDTH, HEIGHT] = [640, 480];
const Y4M_HEADER = `YUV4MPEG2 W${WIDTH} H${HEIGHT} F30:1 Ip A1:1 C420jpeg\nFRAME\n`;

let companion: RunningCompanion;
let launched: LaunchedBrowser;
let browser: Browser;
let videoDir: string;
let camera: FakeCamera;

/** The page's words (zh_CN) for each move, as the person reads them. */
const zh = JSON.parse(readFileSync("extension/public/_locales/zh_CN/messages.json", "utf8")) as Record<
  string,
  { message: string }
>;
const MOVE_BY_WORDS = new Map<string, FaceStep>([
  [zh.faceGuideLeft!.message, "turn-left"],
  [zh.faceGuideRight!.message, "turn-right"],
  [zh.faceGuideTiltLeft!.message, "tilt-left"],
  [zh.faceGuideTiltRight!.message, "tilt-right"],
]);

/** A 640×480 frame with the face in the middle, on grey, as the I420 planes of a y4m frame. */
async function i420Frame(image: Buffer): Promise<Buffer> {
  const face = await sharp(image).resize({ height: 420, width: 600, fit: "inside" }).toBuffer();
  const { data } = await sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: "#9a9a9a" } })
    .composite([{ input: face, gravity: "centre" }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const y = Buffer.alloc(WIDTH * HEIGHT);
  const [u, v] = [Buffer.alloc((WIDTH * HEIGHT) / 4), Buffer.alloc((WIDTH * HEIGHT) / 4)];
  // Full-range BT.601 (C420jpeg), chroma from each 2×2 block's top-left pixel.
  for (let row = 0; row < HEIGHT; row++) {
    for (let col = 0; col < WIDTH; col++) {
      const at = (row * WIDTH + col) * 3;
      const [r, g, b] = [data[at]!, data[at + 1]!, data[at + 2]!];
      y[row * WIDTH + col] = 0.299 * r + 0.587 * g + 0.114 * b;
      if (row % 2 === 0 && col % 2 === 0) {
        const half = (row / 2) * (WIDTH / 2) + col / 2;
        u[half] = Math.max(0, Math.min(255, 128 - 0.168736 * r - 0.331264 * g + 0.5 * b));
        v[half] = Math.max(0, Math.min(255, 128 + 0.5 * r - 0.418688 * g - 0.081312 * b));
      }
    }
  }
  return Buffer.concat([y, u, v]);
}

/**
 * The fake camera's video: one frame, rewritten in place (same size, same offset) to show another
 * move; Chromium keeps the file open and reads the frame again each time.
 */
interface FakeCamera {
  file: string;
  show(step: FaceStep): void;
  close(): void;
}

async function fakeCamera(face: TestFace): Promise<FakeCamera> {
  const moves = new Map<FaceStep, Buffer>();
  for (const step of ["turn-left", "turn-right", "tilt-left", "tilt-right"] as const) {
    moves.set(step, await i420Frame(await poseFrame(face, step)));
  }
  const file = join(videoDir, "camera.y4m");
  writeFileSync(file, Buffer.concat([Buffer.from(Y4M_HEADER), moves.get("turn-right")!]));
  const fd = openSync(file, "r+");
  return {
    file,
    show: (step) => {
      const frame = moves.get(step)!;
      writeSync(fd, frame, 0, frame.length, Y4M_HEADER.length);
    },
    close: () => closeSync(fd),
  };
}

/**
 * The person in front of the camera: makes each move as the page asks for it (the first one already
 * while it asks to look straight), until the page stops guiding or shows a refusal. Answers the moves
 * made.
 */
async function followGuidance(page: Page): Promise<FaceStep[]> {
  const made: FaceStep[] = [];
  let last = "";
  for (;;) {
    const seen = await page.evaluate(() => ({
      status: document.querySelector('[data-testid="face-status"]')?.textContent ?? "",
      moves: [...document.querySelectorAll('[data-testid="face-moves"] li')].map((li) => li.textContent ?? ""),
      guiding: document.querySelector('[data-testid="face-moves"]') !== null,
      failed: document.querySelector('[data-testid="form-error"]') !== null,
    }));
    if ((made.length > 0 && !seen.guiding) || seen.failed) return made;
    if (seen.guiding && seen.status !== last) {
      last = seen.status;
      const move = MOVE_BY_WORDS.get(seen.status) ?? MOVE_BY_WORDS.get(seen.moves[0] ?? "");
      if (move) {
        camera.show(move);
        if (made.at(-1) !== move) made.push(move);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

beforeAll(async () => {
  requireBuiltExtension();
  await sampleFaces();
  videoDir = mkdtempSync(join(tmpdir(), "taxauth-e2e-camera-"));
  camera = await fakeCamera(await faceById("1.0"));
  companion = await startCompanion();
  launched = await launchBrowser({
    companionUrl: companion.url,
    args: [
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-video-capture=${camera.file}`,
    ],
  });
  browser = launched.browser;
}, SLOW);

afterAll(async () => {
  await launched?.close();
  await companion?.close();
  camera?.close();
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
      const following = followGuidance(page);
      // The guidance runs while frames are taken: the challenge's moves, listed in its order.
      await waitForText(page, '[data-testid="face-moves"]', "转头", 15_000);
      await shot(page, "register-face-capture.png");
      await expectAccessible(page, "register: face capture");
      const made = await following;
      // Both turns and a tilt, as the companion asked for them.
      expect([...made].sort()).toEqual(
        ["turn-left", "turn-right", made.find((move) => move.startsWith("tilt-"))!].sort(),
      );
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
      await followGuidance(page);
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
