import { join } from "node:path";
import pino, { type DestinationStream, type LoggerOptions } from "pino";

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

/** A URL as logged: its query string may carry a secret (a token pasted into a link), so it is left out. */
const withoutQuery = (url: string | undefined) => url?.replace(/\?.*$/s, "?[redacted]");

/** What Fastify logs of a request: its own fields, but the URL without its query string. */
const requestFields = (request: {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}) => ({
  method: request.method,
  url: withoutQuery(request.url),
  host: request.host,
  remoteAddress: request.ip,
  remotePort: request.socket?.remotePort,
});

export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, serializers: { req: requestFields } };
}

export const LOG_FILE_NAME = "companion.log";

/** The companion's log goes to a file in the data dir, so its terminal shows only what a person needs. */
export function logFile(dataDir: string): DestinationStream {
  return pino.destination({ dest: join(dataDir, LOG_FILE_NAME), mkdir: true, sync: false, mode: 0o600 });
}
