import { desktopProtocolJsonSchema } from "./desktop-schema.js";
import { openApiDocument } from "./openapi.js";

/**
 * The generated documents, by their path from the repo's root, as they are committed: `npm run
 * docs:generate` writes them, and a test fails when the committed ones differ.
 */
export function publishedDocuments(companionVersion: string): Record<string, string> {
  const text = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;
  return {
    "docs/desktop-protocol.schema.json": text(desktopProtocolJsonSchema()),
    "docs/openapi.json": text(openApiDocument(companionVersion)),
  };
}
