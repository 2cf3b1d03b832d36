import type { Captchas } from "../captcha/captchas.js";
import { AppError } from "../errors.js";

export interface CaptchaAnswer {
  captchaId?: string | undefined;
  captchaAnswer?: string | undefined;
}

/**
 * The captcha of a try that needs one (a failure came before), consumed inside the transaction of
 * the counter it guards: null when it passed or was not needed, else the refusal to answer once that
 * transaction has committed (so the used-up picture stays used up).
 */
export async function captchaRefusal(
  captchas: Captchas,
  needed: boolean,
  captcha: CaptchaAnswer,
): Promise<AppError | null> {
  if (!needed) return null;
  const check = await captchas.consume(captcha.captchaId, captcha.captchaAnswer);
  if (check === "ok") return null;
  return new AppError(check === "missing" ? "CAPTCHA_REQUIRED" : "CAPTCHA_INVALID", { captchaRequired: true });
}
