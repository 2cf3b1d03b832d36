import * as z from "zod";

export type JsonSchema = Record<string, unknown>;

/**
 * One zod schema as a JSON Schema (2020-12) to nest in a published document: without its own
 * `$schema`, and refused when zod would need a reference (a nested document has no `$defs` of its own).
 */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...converted } = z.toJSONSchema(schema, { io, unrepresentable: "throw" }) as JsonSchema;
  if (JSON.stringify(converted).includes('"$ref"')) throw new Error("a published schema must not need references");
  return converted;
}

/** Each `oneOf` branch titled by the constant of its discriminator (`type` or `event`), for readers and tools. */
export function titledBranches(schema: JsonSchema, discriminator: string): JsonSchema {
  const branches = schema.oneOf as JsonSchema[];
  return {
    ...schema,
    oneOf: branches.map((branch) => {
      const properties = branch.properties as Record<string, { const?: string }>;
      return { title: properties[discriminator]?.const, ...branch };
    }),
  };
}
