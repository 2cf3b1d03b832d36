import type { z } from "zod";

/** A field check from a shared zod schema: its first issue's (Chinese) message, or null. */
export function checkWith(schema: z.ZodType): (value: string) => string | null {
  return (value) => {
    const result = schema.safeParse(value);
    return result.success ? null : (result.error.issues[0]?.message ?? "");
  };
}
