import { useEffect, useState } from "preact/hooks";
import type { ErrorBody } from "../../shared/errors.js";
import { describeError } from "./describe-error.js";
import { loadCompanion } from "./lazy.js";

export interface CaptchaState {
  captchaId: string | null;
  /** The SVG picture as a data: URL, ready for <img src>. */
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
        ({ captchaId, svg }) => {
          if (!live) return;
          setCaptcha({ id: captchaId, url: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` });
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
