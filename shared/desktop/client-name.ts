import * as z from "zod";

/** A desktop client's name, as the person sees it in the popup and in 已配对的客户端: at most this many characters. */
export const CLIENT_NAME_MAX = 64;
/** What a client may send before cleaning: a bound on the work, well past any real name. */
const RAW_CLIENT_NAME_MAX = 1_024;

/** Line and paragraph breaks, tabs and the other C0/C1 controls: they would break the line the name is shown on. */
const BREAKS = /[\p{Cc}\p{Zl}\p{Zp}]/gu;
/**
 * Format characters — the bidi embeddings, overrides, isolates and marks (U+202A–202E,
 * U+2066–2069, U+200E/F, U+061C), the zero-width space, joiners and word joiner (U+200B–200D,
 * U+2060), the BOM (U+FEFF), soft hyphens, tag characters — and lone surrogates: none of them
 * shows, and the bidi ones reorder what the person reads (a name that looks like another).
 */
const INVISIBLE = /[\p{Cf}\p{Cs}]/gu;

/**
 * The name a client sent, as the companion keeps and shows it: controls and breaks become spaces,
 * invisible and direction-changing characters go, runs of spaces become one, the ends are trimmed.
 */
export function cleanClientName(raw: string): string {
  return raw.replace(BREAKS, " ").replace(INVISIBLE, "").replace(/\s+/gu, " ").trim();
}

/** A client-supplied name at the socket's boundary: cleaned, then 1–64 characters (code points). */
export const clientNameSchema = z
  .string()
  .max(RAW_CLIENT_NAME_MAX, `客户端名称不能超过${CLIENT_NAME_MAX}个字符`)
  .overwrite(cleanClientName)
  .min(1, "请填写客户端名称")
  .refine((name) => [...name].length <= CLIENT_NAME_MAX, `客户端名称不能超过${CLIENT_NAME_MAX}个字符`);
