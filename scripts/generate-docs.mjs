// Writes the published schemas (docs/desktop-protocol.schema.json, docs/openapi.json) from the zod
// contract, compiled to dist/ first by `npm run docs:generate`.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const { publishedDocuments } = await import(join(root, "dist", "shared", "published", "documents.js"));
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
for (const [path, text] of Object.entries(publishedDocuments(version))) {
  writeFileSync(join(root, path), text);
  process.stdout.write(`wrote ${path}\n`);
}
