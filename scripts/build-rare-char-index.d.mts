// Types for scripts/build-rare-char-index.mjs (imported by the unit tests and the bench).

export const UNICODE_DIR: string;
export const INDEX_MODULE: string;

export interface UnihanData {
  version: string;
  /** Code point → its kRSUnicode value ("30.3", "5.10 213.0"). */
  rsUnicode: Map<number, string>;
  /** Code point → the first kTotalStrokes value. */
  totalStrokes: Map<number, number>;
  /** Compatibility ideographs (kCompatibilityVariant). */
  compatibility: Set<number>;
  /** CJKRadicals.txt: "120'" → the code point of its CJK unified ideograph. */
  radicals: Array<{ key: string; ideograph: number }>;
}

export function encodeNumber(n: number): string;
export function encodeRuns(codePoints: readonly number[]): string;
export function readUnihan(dir?: string): UnihanData;
export function buildIndex(unihan: UnihanData): string[];
export function renderIndexModule(version: string, sections: readonly string[]): string;
export function generateIndexModule(dir?: string): string;
