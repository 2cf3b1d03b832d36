import { useEffect, useState } from "preact/hooks";
import type { ErrorBody } from "../../shared/errors.js";
import { describeError } from "./describe-error.js";
import { t } from "./i18n.js";
import { loadCompanion } from "./lazy.js";
import { type FieldState, useField } from "./use-field.js";

export interface CaptchaState {
  captchaId: string | null;
  /** The PNG picture as a data: URL, ready for <img src>. */
  imageUrl: string | null;
  loadError: string | null;
  refresh(): void;
}

/** An image captcha from the companion, fetched while `enabled`; each answer uses one picture up. */
export function useCaptcha(enabled: boolean): CaptchaState {
  const [generation, setGeneration] = useState(0);
  const [captcha, setCaptcha] = useState<{ id: string; url: string } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    loadCompanion()
      .then((companion) => companion.captcha())
      .then(
        ({ captchaId, image }) => {
          if (!live) return;
          setCaptcha({ id: captchaId, url: image });
          setLoadError(null);
        },
        (error: unknown) => live && setLoadError(describeError(error)),
      );
    return () => {
      live = false;
    };
  }, [enabled, generation]);
  return {
    captchaId: enabled ? (captcha?.id ?? null) : null,
    imageUrl: enabled ? (captcha?.url ?? null) : null,
    loadError,
    refresh: () => setGeneration((n) => n + 1),
  };
}

/**
 * Whether the next try needs a captcha after this refusal: once asked for, it stays; a wrong
 * password (`captchaRequired`) or a missing or wrong captcha asks for it.
 */
export function captchaNeededAfter(body: ErrorBody | null | undefined, neededBefore: boolean): boolean {
  return (
    neededBefore ||
    body?.captchaRequired === true ||
    body?.code === "CAPTCHA_REQUIRED" ||
    body?.code === "CAPTCHA_INVALID"
  );
}

export interface CaptchaGate {
  /** A try must carry a captcha now (a wrong password came before). */
  needed: boolean;
  captcha: CaptchaState;
  /** The answer typed under the picture. */
  field: FieldState;
  /** What the next try sends of it: the picture's id and the answer, when one is needed. */
  answer(): { captchaId?: string; captchaAnswer?: string };
  /**
   * After a refused try: a fresh picture and an empty answer (each picture answers once), and
   * from now on a captcha when the refusal asks for one. True when the refusal was the captcha's
   * own (shown under it).
   */
  refused(body: ErrorBody | null | undefined): boolean;
}

/** The captcha of a form that tries the login password: none until a wrong one, then on every try. */
export function useCaptchaGate(): CaptchaGate {
  const field = useField("", (v) => (v.trim() ? null : t("captchaRequired")));
  const [needed, setNeeded] = useState(false);
  const captcha = useCaptcha(needed);
  return {
    needed,
    captcha,
    field,
    answer: () =>
      needed && captcha.captchaId ? { captchaId: captcha.captchaId, captchaAnswer: field.value.trim() } : {},
    refused(body) {
      if (needed) captcha.refresh();
      setNeeded(captchaNeededAfter(body, needed));
      field.reset();
      if (body?.code !== "CAPTCHA_INVALID" && body?.code !== "CAPTCHA_REQUIRED") return false;
      field.fail(body.message);
      return true;
    },
  };
}
