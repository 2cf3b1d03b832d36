import type * as z from "zod";

/**
 * One HTTP endpoint of the companion, declared once: the Fastify route (validation and response
 * serialisation) and the extension's client are both derived from this object, so a path or a
 * schema is never written twice.
 */
export interface Endpoint {
  method: "GET" | "POST";
  /** Fastify-style path, `:name` for a path parameter. */
  path: `/${string}`;
  summary: string;
  /** Needs a live session (`Authorization: Bearer <token>`); refused with UNAUTHENTICATED otherwise. */
  auth: boolean;
  /**
   * Open to a session whose password is a one-time one from the hall (changing it, reading the
   * session, logging out); every other `auth` endpoint refuses it with PASSWORD_CHANGE_REQUIRED.
   */
  beforePasswordChange?: true;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /**
   * The body schema per success status; `null` for 204 No Content. Refusals are ErrorBody with the
   * status of their code (shared/errors.ts). `download` marks a file answer (not JSON).
   */
  responses: { 200: z.ZodType } | { 204: null } | { 200: z.ZodType; 503: z.ZodType } | { 200: "download" };
  /** A request body larger than the usual 64 KiB (camera frames). */
  bodyLimit?: number;
  /** Asked so often that its requests are not logged (only warnings and errors are). */
  quiet?: true;
}

/** Declares an endpoint; the identity, kept for the exact literal types. */
export const endpoint = <const E extends Endpoint>(declared: E): E => declared;

type Field<E, K extends "params" | "query" | "body", Kind extends "input" | "output"> = E extends {
  [key in K]: infer S extends z.ZodType;
}
  ? Kind extends "input"
    ? z.input<S>
    : z.output<S>
  : undefined;

/** What a caller sends: path parameters, query and body, as the schemas accept them. */
export type EndpointInput<E extends Endpoint> = {
  [K in "params" | "query" | "body" as E[K] extends z.ZodType ? K : never]: Field<E, K, "input">;
};

/** What a handler receives once the schemas have parsed the request. */
export type EndpointParsed<E extends Endpoint> = {
  params: Field<E, "params", "output">;
  query: Field<E, "query", "output">;
  body: Field<E, "body", "output">;
};

/** The success answer: the 200 body, or nothing for 204. */
export type EndpointResult<E extends Endpoint> = E["responses"] extends { 200: infer S extends z.ZodType }
  ? z.output<S>
  : undefined;

/** `/api/units/:tin` with `{tin}` → `/api/units/9131…`, each value URI-encoded. */
export function endpointPath(path: string, params: Record<string, string> | undefined): string {
  return path.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}

/** The query string of a GET (empty values left out), with its leading `?` when not empty. */
export function endpointQuery(query: Record<string, unknown> | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
