import {
  DESKTOP_PATH,
  DESKTOP_PROTOCOL_VERSION,
  desktopEventSchema,
  desktopRequestSchema,
  desktopResultSchemas,
  MAX_FRAME_BYTES,
} from "../desktop/protocol.js";
import { errorBodySchema } from "../errors.js";
import { type JsonSchema, jsonSchemaOf, titledBranches } from "./json-schema.js";

/**
 * docs/desktop-protocol.schema.json: every frame of the desktop socket as JSON Schema, derived from
 * the zod schemas the companion validates with (`npm run docs:generate` writes it).
 */
export function desktopProtocolJsonSchema(): JsonSchema {
  const results = Object.fromEntries(
    Object.entries(desktopResultSchemas).map(([type, schema]) => [
      `result.${type}`,
      {
        description: `The reply to a \`${type}\` request that succeeded.`,
        type: "object",
        properties: {
          id: { type: "string", description: "The request's id." },
          ok: { const: true },
          result: jsonSchemaOf(schema, "output"),
        },
        required: ["id", "ok", "result"],
        additionalProperties: false,
      },
    ]),
  );
  const { properties: refusalFields, required: refusalRequired } = jsonSchemaOf(errorBodySchema, "output");
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: `taxauth desktop socket, ws://127.0.0.1:<port>${DESKTOP_PATH}`,
    description: [
      "Every frame in either direction is one JSON object in one UTF-8 text frame of at most",
      `${MAX_FRAME_BYTES} bytes: a request (client to companion), a reply (one per request, with its id)`,
      "or an event (no id). docs/desktop-protocol.md is the contract; this file is generated from",
      "the same schemas the companion validates with.",
    ].join(" "),
    "x-protocolVersion": DESKTOP_PROTOCOL_VERSION,
    anyOf: [{ $ref: "#/$defs/request" }, { $ref: "#/$defs/reply" }, { $ref: "#/$defs/event" }],
    $defs: {
      request: {
        description: "A request: `id` (1–64 characters, chosen by the client) and `type`. Unknown fields are ignored.",
        ...titledBranches(jsonSchemaOf(desktopRequestSchema, "input"), "type"),
      },
      reply: {
        description: "A reply: `result.<type>` for the request of that id, or `refusal`.",
        anyOf: [
          ...Object.keys(desktopResultSchemas).map((type) => ({ $ref: `#/$defs/result.${type}` })),
          { $ref: "#/$defs/refusal" },
        ],
      },
      refusal: {
        description: "A refused request; `id` is null when the frame had no string id (not JSON, binary).",
        type: "object",
        properties: { id: { type: ["string", "null"] }, ok: { const: false }, ...(refusalFields as JsonSchema) },
        required: ["id", "ok", ...(refusalRequired as string[])],
        additionalProperties: false,
      },
      event: {
        description: "An event: `event` names it; it has no id. Clients ignore events they do not know.",
        ...titledBranches(jsonSchemaOf(desktopEventSchema, "output"), "event"),
      },
      ...results,
    },
  };
}
