import { ZodError, type z } from "zod";
import { zhCN } from "zod/locales";
import { ERROR_MESSAGES, type ErrorBody, type ErrorCode } from "../shared/errors.js";

/** A refusal with a stable code; the HTTP layer turns it into an ErrorBody. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    readonly extra: Omit<ErrorBody, "code" | "message"> = {},
    message: string = ERROR_MESSAGES[code],
  ) {
    super(message);
    this.name = "AppError";
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

const MAX_FIELD_MESSAGES = 20;

// Messages the shared schemas do not set themselves (a missing field, a wrong type) in Chinese too.
const chineseMessages = { error: zhCN().localeError };

/** Parses input at a boundary: a zod failure becomes VALIDATION_FAILED with a message per field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  try {
    return schema.parse(input, chineseMessages);
  } catch (error) {
    if (error instanceof ZodError) {
      const fields: Record<string, string> = {};
      // A few fields are enough to fix a form; a huge input must not make a huge answer.
      for (const issue of error.issues.slice(0, MAX_FIELD_MESSAGES)) {
        const key = issue.path.join(".") || "_";
        fields[key] ??= issue.message;
      }
      throw new AppError("VALIDATION_FAILED", 400, { fields });
    }
    throw error;
  }
}

export function secondsUntil(when: number, now: number): number {
  return Math.max(1, Math.ceil((when - now) / 1000));
}
