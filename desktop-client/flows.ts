import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { type DesktopClient, DesktopError } from "../shared/desktop/client.js";
import type { ErrorCode } from "../shared/errors.js";
import { normalizeTaxpayerId } from "../shared/identity/tin.js";
import { captchaToText } from "./captcha-art.js";
import { logInWithQr } from "./qr-login.js";
import { ask, askSecret, DeskError, say } from "./terminal.js";

type CaptchaAnswer = { captchaId?: string; captchaAnswer?: string };

/** Fetches a captcha, draws it in the terminal and asks what it says. */
async function solveCaptcha(client: DesktopClient): Promise<CaptchaAnswer> {
  const { captchaId, image } = await client.request("captcha", {});
  // 80 columns or more read well; the picture keeps its proportions at any width.
  say(await captchaToText(image, Math.min(96, Math.max(80, (process.stdout.columns ?? 80) - 1))));
  const answer = await ask("验证码: ");
  // No answer: the companion asks again, with a fresh picture.
  return answer ? { captchaId, captchaAnswer: answer } : {};
}

/**
 * A guessed secret (login password, 申报密码), tried under the companion's counter: with a captcha
 * once the companion asks for one (after a wrong try), again with a new secret after a wrong one
 * when the person is at the keyboard (`askAgain`). Locks and every other refusal end the attempt.
 */
async function guardedTry<T>(
  client: DesktopClient,
  attempt: (captcha: CaptchaAnswer) => Promise<T>,
  wrong: ErrorCode,
  askAgain: (() => Promise<void>) | null,
): Promise<T> {
  let needCaptcha = false;
  for (;;) {
    const captcha = needCaptcha ? await solveCaptcha(client) : {};
    try {
      return await attempt(captcha);
    } catch (error) {
      if (!(error instanceof DesktopError)) throw error;
      if (error.code === "CAPTCHA_REQUIRED" || error.code === "CAPTCHA_INVALID") {
        say(error.message);
        needCaptcha = true;
        continue;
      }
      if (error.code !== wrong || !askAgain) throw error;
      const left = error.body.attemptsLeft;
      say(left === undefined ? error.message : `${error.message}，还可尝试 ${left} 次`);
      await askAgain();
      needCaptcha = error.body.captchaRequired === true;
    }
  }
}

/** 账号密码登录: 手机号码, 登录名 or 证件号码, and the password (or $TAXAUTH_DESK_PASSWORD). */
export async function logIn(client: DesktopClient, account: string | undefined): Promise<void> {
  const who = account || (await ask("账号（手机号码/登录名/证件号码）: "));
  const fromEnv = process.env.TAXAUTH_DESK_PASSWORD;
  let password = fromEnv || (await askSecret("密码: "));
  const { person } = await guardedTry(
    client,
    (captcha) => client.request("login", { account: who, password, ...captcha }),
    "LOGIN_FAILED",
    fromEnv
      ? null
      : async () => {
          password = await askSecret("密码: ");
        },
  );
  say(`已登录：${person.maskedName}（${person.loginName}）`);
}

/** How a command logs in: 账号密码登录 (`--account`, the password asked) or 扫码登录 (`--qr`). */
export interface LoginOptions {
  account?: string;
  qr?: boolean;
  /** With `--qr`: an expired code is replaced at once instead of on Enter. */
  refresh?: boolean;
}

/** Logs the connection in the way the command line asked. */
export async function signIn(client: DesktopClient, options: LoginOptions): Promise<void> {
  if (options.qr && options.account) throw new DeskError("--qr（扫码登录）与 --account（账号密码登录）只能选一个");
  if (options.refresh && !options.qr) throw new DeskError("--refresh 只用于 --qr（扫码登录）");
  if (options.qr) await logInWithQr(client, { refresh: options.refresh });
  else await logIn(client, options.account);
}

const VIA = { office: "法定代表人/财务负责人", grant: "办税授权", password: "申报密码", ca: "CA证书" } as const;

/** A unit the person is in, however they entered it. */
export interface EnteredUnit {
  tin: string;
  name: string;
  via: keyof typeof VIA;
}

const entered = (unit: EnteredUnit) => {
  say(`已进入单位：${unit.name}（${unit.tin}），验证方式：${VIA[unit.via]}`);
  return unit;
};

/** The person chose 忘记申报密码 at the 在线登录 prompt (an empty answer) instead of typing one. */
class ForgotChosen extends Error {}

/**
 * 进入 → 单位办税验证: directly with a grant or office; otherwise the seed's 在线登录 dialog asks
 * for the 申报密码 (or $TAXAUTH_DESK_DECLARATION_PASSWORD), and the captcha after a wrong one. As
 * the dialog's 【忘记申报密码】 link, an empty answer shows the reset channels instead (then null).
 */
export async function enterUnit(client: DesktopClient, tin: string): Promise<EnteredUnit | null> {
  try {
    return entered(await client.request("unit.enter", { tin }));
  } catch (error) {
    if (!(error instanceof DesktopError) || error.code !== "DECLARATION_PASSWORD_REQUIRED") throw error;
    say(error.message);
  }
  const { items } = await client.request("units.list", { q: normalizeTaxpayerId(tin) });
  const unit = items.find((u) => u.tin === normalizeTaxpayerId(tin));
  say(["", "在线登录", ...(unit ? [`  ${unit.name}`] : []), `  ${normalizeTaxpayerId(tin)}`].join("\n"));
  const fromEnv = process.env.TAXAUTH_DESK_DECLARATION_PASSWORD;
  const ask = async () => {
    const answer = await askSecret("申报密码（忘记申报密码？直接按回车）: ");
    if (answer === "") throw new ForgotChosen();
    return answer;
  };
  try {
    let password = fromEnv || (await ask());
    return entered(
      await guardedTry(
        client,
        (captcha) => client.request("unit.enter", { tin, declarationPassword: password, ...captcha }),
        "DECLARATION_PASSWORD_WRONG",
        fromEnv
          ? null
          : async () => {
              password = await ask();
            },
      ),
    );
  } catch (error) {
    if (!(error instanceof ForgotChosen)) throw error;
    await forgotDeclarationPassword(client, tin);
    return null;
  }
}

/**
 * CA校验 for 本市单位: the companion gives a fresh challenge; the client signs
 * "taxauth-ca-entry\n<纳税人识别号>\n<challenge>" (SHA-256) with the unit certificate's key and
 * sends it with the certificate chain (PEM, the unit's certificate first).
 */
export async function enterUnitWithCertificate(
  client: DesktopClient,
  tin: string,
  files: { certificates: string; key: string },
): Promise<EnteredUnit> {
  const read = (file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      throw new DeskError(`无法读取文件 ${file}`);
    }
  };
  const certificates = read(files.certificates);
  const key = await privateKey(read(files.key));
  const unit = normalizeTaxpayerId(tin);
  const { challenge } = await client.request("unit.challenge", { tin: unit });
  const signature = sign("sha256", Buffer.from(`taxauth-ca-entry\n${unit}\n${challenge}`, "utf8"), key);
  return entered(
    await client.request("unit.enter.ca", {
      tin: unit,
      challenge,
      certificates,
      signature: signature.toString("base64"),
    }),
  );
}

/** The unit certificate's private key (PEM), asking for its passphrase when it has one. */
async function privateKey(pem: string): Promise<KeyObject> {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_MISSING_PASSPHRASE") throw new DeskError("私钥文件格式无效");
  }
  try {
    return createPrivateKey({ key: pem, passphrase: await askSecret("私钥口令: ") });
  } catch {
    throw new DeskError("私钥口令错误或私钥文件无效");
  }
}

/** 忘记申报密码: the seed's 申报密码重置渠道选择 — the notice, the web link and the app's QR code. */
export async function forgotDeclarationPassword(client: DesktopClient, tin: string): Promise<void> {
  const { default: QRCode } = await import("qrcode");
  const forgot = await client.request("declaration.forgot", { tin });
  say("申报密码重置渠道选择");
  say(`温馨提示：${forgot.notice}`);
  say(`点击打开 个人所得税WEB：${forgot.webUrl}`);
  say(`扫码下载 个人所得税APP（${forgot.appUrl}）：`);
  say((await QRCode.toString(forgot.appUrl, { type: "terminal", small: true })).trimEnd());
}
