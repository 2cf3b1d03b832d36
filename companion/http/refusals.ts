import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ErrorCode } from "../../shared/errors.js";
import { AppError } from "../errors.js";

/** Fastify's own refusals that have a code of ours; any other 4xx of the framework is BAD_REQUEST. */
const FRAMEWORK_CODES: Partial<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
};

/**
 * A refusal of the framework (bad JSON, body too large, wrong content type, bad percent-encoding…)
 * as one of ours, so that its status comes from our table and its message is ours, not an English
 * text echoing the request. Undefined for what is not a refusal (a 5xx).
 */
export function frameworkRefusal(error: { code?: string; statusCode?: number }): AppError | undefined {
  const { code, statusCode } = error;
  if (!statusCode || statusCode < 400 || statusCode >= 500) return undefined;
  return new AppError((code && FRAMEWORK_CODES[code]) || "BAD_REQUEST");
}

/** A whole HTTP response carrying the refusal, for a socket no longer served by the HTTP parser. */
function rawResponse(refusal: AppError): string {
  const body = JSON.stringify(refusal.toBody());
  return [
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}`,
    "content-type: application/json; charset=utf-8",
    `content-length: ${Buffer.byteLength(body)}`,
    "connection: close",
    "",
    body,
  ].join("\r\n");
}

/**
 * Answers the refusal and, for a WebSocket upgrade, closes the connection once it is flushed. An
 * upgrade is written on the raw socket: through Fastify's reply, the WebSocket plugin would destroy
 * the socket before the refusal got out, or leave it open after.
 */
export function sendRefusal(request: FastifyRequest, reply: FastifyReply, refusal: AppError): FastifyReply {
  if (request.headers.upgrade === undefined) return reply.code(refusal.status).send(refusal.toBody());
  reply.hijack();
  request.raw.socket.end(rawResponse(refusal));
  return reply;
}

/** What the HTTP parser says about a request it cannot read (Fastify's clientErrorHandler). */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to tell.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const code: ErrorCode =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? "REQUEST_TIMEOUT"
      : error.code === "HPE_HEADER_OVERFLOW"
        ? "HEADERS_TOO_LARGE"
        : "BAD_REQUEST";
  socket.end(rawResponse(new AppError(code)));
}
