import type * as z from "zod";
import type { Endpoint } from "../api/endpoint.js";
import { api } from "../api/index.js";
import { ERROR_STATUSES, errorBodySchema } from "../errors.js";
import { DEFAULT_COMPANION_URL, EXTENSION_ORIGIN } from "../extension-identity.js";
import { type JsonSchema, jsonSchemaOf } from "./json-schema.js";

const json = (schema: JsonSchema) => ({ "application/json": { schema } });
const refusal = { $ref: "#/components/schemas/ErrorBody" };

/** Path or query parameters from the object schema that declares them. */
function parameters(schema: z.ZodType | undefined, where: "path" | "query"): JsonSchema[] {
  if (!schema) return [];
  const { properties = {}, required = [] } = jsonSchemaOf(schema, "input") as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || required.includes(name),
    schema: property,
  }));
}

function responses(declared: Endpoint["responses"]): JsonSchema {
  const answers: JsonSchema = {};
  for (const [status, schema] of Object.entries(declared)) {
    if (schema === null) answers[status] = { description: "No content" };
    else if (schema === "download")
      answers[status] = { description: "A file", content: { "text/csv": { schema: { type: "string" } } } };
    else
      answers[status] = {
        description: status === "200" ? "OK" : "Failed",
        content: json(jsonSchemaOf(schema, "output")),
      };
  }
  answers.default = {
    description: "A refusal: ErrorBody, with the HTTP status of its code (x-errorStatuses)",
    content: json(refusal),
  };
  return answers;
}

function operation(name: string, endpoint: Endpoint): JsonSchema {
  return {
    operationId: name,
    summary: endpoint.summary,
    parameters: [
      { $ref: "#/components/parameters/Origin" },
      ...parameters(endpoint.params, "path"),
      ...parameters(endpoint.query, "query"),
    ],
    ...(endpoint.body && { requestBody: { required: true, content: json(jsonSchemaOf(endpoint.body, "input")) } }),
    responses: responses(endpoint.responses),
    security: endpoint.auth ? [{ session: [] }] : [],
    ...(endpoint.beforePasswordChange && { "x-beforePasswordChange": true }),
  };
}

/**
 * docs/openapi.json: the companion's HTTP API (the browser extension's) as OpenAPI 3.1, derived
 * from the contract in shared/api that the routes and the extension's client are built from.
 */
export function openApiDocument(companionVersion: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [name, endpoint] of Object.entries(api) as [string, Endpoint][]) {
    const path = endpoint.path.replace(/:([A-Za-z]+)/g, "{$1}");
    paths[path] ??= {};
    paths[path][endpoint.method.toLowerCase()] = operation(name, endpoint);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "taxauth companion HTTP API",
      version: companionVersion,
      description: [
        "The HTTP API of the taxauth companion on 127.0.0.1, for its browser extension. Every request",
        "needs `Host: 127.0.0.1:<port>` exactly and the extension's `Origin`; requests with `auth`",
        "need `Authorization: Bearer <session token>` (from POST /api/login). Bodies are JSON (at most",
        "64 KiB unless stated). Refusals are ErrorBody `{code, message, …}` with the status listed for",
        "the code in x-errorStatuses. Desktop programs use the WebSocket /desktop instead",
        "(docs/desktop-protocol.md, docs/desktop-protocol.schema.json).",
      ].join(" "),
      "x-errorStatuses": ERROR_STATUSES,
    },
    servers: [{ url: DEFAULT_COMPANION_URL, description: "the default port; TAXAUTH_PORT changes it" }],
    paths,
    components: {
      schemas: { ErrorBody: jsonSchemaOf(errorBodySchema, "output") },
      parameters: {
        Origin: {
          name: "Origin",
          in: "header",
          required: true,
          description: "The browser extension's origin; any other is refused with FORBIDDEN_ORIGIN (403)",
          schema: { type: "string", examples: [EXTENSION_ORIGIN] },
        },
      },
      securitySchemes: { session: { type: "http", scheme: "bearer", description: "The session token of a login" } },
    },
  };
}
