import * as z from "zod";
import { zhCN } from "zod/locales";
import { ERROR_MESSAGES, ERROR_STATUSES, type ErrorBody, type ErrorCode } from "../shared/errors.js";

/** A refusal with a stable code; the HTTP layer turns it into an ErrorBody with the code's status. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly extra: Omit<ErrorBody, "code" | "message"> = {},
    message: string = ERROR_MESSAGES[code],
  ) {
    super(message);
    this.name = "AppError";
    this.status = ERROR_STATUSES[code];
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

const MAX_FIELD_MESSAGES = 20;

// Messages the shared schemas do not set themselves (a missing field, a wrong type) in Chinese too,
// for every parse in the companion (the HTTP routes' validation included).
z.config(zhCN());

type FieldIssue = { path: string; message: string };

/** VALIDATION_FAILED with one Chinese message per field (`_` for the whole input). */
export function validationFailed(issues: Iterable<FieldIssue>): AppError {
  const fields: Record<string, string> = {};
  let count = 0;
  // A few fields are enough to fix a form; a huge input must not make a huge answer.
  for (const issue of issues) {
    if (count++ >= MAX_FIELD_MESSAGES) break;
    fields[issue.path || "_"] ??= issue.message;
  }
  return new AppError("VALIDATION_FAILED", { fields });
}

/** Parses input at a boundary: a zod failure becomes VALIDATION_FAILED with a message per field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationFailed(result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })));
}

export function secondsUntil(when: number, now: number): number {
  return Math.max(1, Math.ceil((when - now) / 1000));
}
