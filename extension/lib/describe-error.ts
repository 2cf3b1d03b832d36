import { CompanionError } from "./companion-error.js";
import { t } from "./i18n.js";

/** Whole minutes left, rounded up, for lock messages (a lock of 119 min 5 s still reads 120). */
export function minutesLeft(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

/** The sentence shown for a failed call. Field-level problems are shown under their fields. */
export function describeError(error: unknown): string {
  if (!(error instanceof CompanionError)) return t("errorUnexpected");
  if (error.kind === "offline") return t("companionOfflineError");
  if (error.kind === "protocol" || !error.body) return t("companionProtocol", error.baseUrl);
  const { code, message, retryAfter, attemptsLeft, fields } = error.body;
  switch (code) {
    case "VALIDATION_FAILED":
      return fields ? `${message}：${Object.values(fields).join("；")}` : message;
    case "ACCOUNT_LOCKED":
      return t("accountLocked", minutesLeft(retryAfter ?? 120 * 60));
    case "LOGIN_FAILED":
      return attemptsLeft === undefined ? message : t("loginFailedAttemptsLeft", message, attemptsLeft);
    case "SMS_COOLDOWN":
    case "RATE_LIMITED":
    case "PAIRING_CODE_LOCKED":
      return retryAfter === undefined ? message : t("retryAfterSeconds", message, retryAfter);
    default:
      return message;
  }
}

export function isOffline(error: unknown): boolean {
  return error instanceof CompanionError && error.kind === "offline";
}

/** The companion refused this browser as not yet trusted: the popup's pairing screen says so. */
export function isUntrusted(error: unknown): boolean {
  return error instanceof CompanionError && error.code === "BROWSER_NOT_TRUSTED";
}

/** The per-field messages of a VALIDATION_FAILED refusal (empty for anything else). */
export function fieldErrors(error: unknown): Record<string, string> {
  return error instanceof CompanionError && error.code === "VALIDATION_FAILED" ? (error.body?.fields ?? {}) : {};
}
