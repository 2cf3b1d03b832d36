import type { LoggerOptions } from "pino";

/** Every field that can carry a secret, wherever it appears in a log object. */
const SECRET_FIELDS = [
  "password",
  "newPassword",
  "token",
  "smsCode",
  "registrationCode",
  "registrationTicket",
  "resetTicket",
  "ticket",
  "captchaAnswer",
];

export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
];

export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } };
}
