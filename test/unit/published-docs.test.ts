import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as z from "zod";
import {
  type DesktopRequestType,
  desktopEventSchema,
  desktopReplySchema,
  desktopRequestSchema,
  desktopResultSchemas,
} from "../../shared/desktop/protocol.js";
import { ERROR_MESSAGES, type ErrorCode } from "../../shared/errors.js";
import { publishedDocuments } from "../../shared/published/documents.js";

const root = join(import.meta.dirname, "..", "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const protocolDoc = read("docs/desktop-protocol.md");

describe("the published schemas", () => {
  it("are what `npm run docs:generate` writes from the zod contract (run it after changing a schema)", () => {
    const { version } = JSON.parse(read("package.json")) as { version: string };
    for (const [path, text] of Object.entries(publishedDocuments(version))) {
      expect(read(path), `${path} is stale: run npm run docs:generate`).toBe(text);
    }
  });
});

/** Each ```json block of the document, with the line it starts on. */
function jsonBlocks(markdown: string): { line: number; text: string }[] {
  const blocks: { line: number; text: string }[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== "```json") continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[i + 1]?.trim() !== "```") i++;
    blocks.push({ line: start + 1, text: lines.slice(start, i + 1).join("\n") });
    i++;
  }
  return blocks;
}

/** The JSON values of a block, one after another (one a line, or spread over several lines). */
function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let at = 0;
  while (at < text.length) {
    if (/\s/.test(text[at] as string)) {
      at++;
      continue;
    }
    let depth = 0;
    let inString = false;
    let end = at;
    for (; end < text.length; end++) {
      const char = text[end];
      if (inString) {
        if (char === "\\") end++;
        else if (char === '"') inString = false;
      } else if (char === '"') inString = true;
      else if (char === "{" || char === "[") depth++;
      else if (char === "}" || char === "]") {
        depth--;
        if (depth === 0) break;
      }
    }
    values.push(JSON.parse(text.slice(at, end + 1)));
    at = end + 1;
  }
  return values;
}

/** A value shortened with … in the document (a key, a picture, a signature): its format is not shown. */
const abbreviated = (value: unknown, path: PropertyKey[]): boolean => {
  let at = value;
  for (const key of path) at = (at as Record<PropertyKey, unknown> | undefined)?.[key];
  return typeof at === "string" && at.includes("…");
};

/** What zod says is wrong with `value`, leaving out the abbreviated values. */
function problems(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues
    .filter((issue) => !abbreviated(value, issue.path))
    .map((issue) => `${issue.path.join(".") || "(frame)"}: ${issue.message}`);
}

/** Messages the companion words per case (with a time, or which certificate check failed). */
const WORDED_PER_CASE: ReadonlySet<ErrorCode> = new Set(["DECLARATION_UNIT_CLOSED", "CA_CERTIFICATE_INVALID"]);

describe("every JSON example in docs/desktop-protocol.md", () => {
  const blocks = jsonBlocks(protocolDoc);
  // The request each id last named, in the document's order: a reply is checked as its answer.
  const requested = new Map<string, DesktopRequestType>();

  it("is found", () => {
    expect(blocks.length).toBeGreaterThan(30);
  });

  for (const block of blocks) {
    it(`matches the schemas (the block on line ${block.line})`, () => {
      const frames = jsonValues(block.text);
      expect(frames.length).toBeGreaterThan(0);
      for (const frame of frames) {
        const shown = JSON.stringify(frame).slice(0, 120);
        const fields = frame as Record<string, unknown>;
        if ("type" in fields) {
          expect(problems(desktopRequestSchema, frame), `request ${shown}`).toEqual([]);
          requested.set(fields.id as string, fields.type as DesktopRequestType);
        } else if ("event" in fields) {
          expect(problems(desktopEventSchema, frame), `event ${shown}`).toEqual([]);
        } else if (fields.ok === true) {
          const type = requested.get(fields.id as string);
          expect(type, `the request of reply ${shown} is shown before it`).toBeDefined();
          expect(problems(desktopReplySchema, frame), `reply ${shown}`).toEqual([]);
          const result = desktopResultSchemas[type as DesktopRequestType];
          expect(problems(result, fields.result), `result of ${type} ${shown}`).toEqual([]);
        } else {
          expect(problems(desktopReplySchema, frame), `refusal ${shown}`).toEqual([]);
          const code = fields.code as ErrorCode;
          if (!WORDED_PER_CASE.has(code) && !abbreviated(frame, ["message"])) {
            expect(fields.message, `the message of ${code}`).toBe(ERROR_MESSAGES[code]);
          }
        }
      }
    });
  }
});
