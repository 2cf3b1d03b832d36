import { AppError } from "../errors.js";
import { faceDistance, SAME_PERSON_THRESHOLD } from "./face-match.js";
import type { PortraitReferenceStore } from "./portrait-reference-store.js";

/** The live face to compare: its descriptor (for a local match) and the photo (for a real authority). */
export interface LiveFace {
  descriptor: number[];
  photo: Uint8Array;
}

export type PortraitVerdict = { result: "match" | "no-match" | "not-enrolled"; distance?: number };

/**
 * 公安人像库: compares a live face with the portrait on record for a 居民身份证. Two implementations:
 * `local` (reference photos enrolled in the hall, matched with the face model) and `http` (a real
 * authority behind the JSON contract in README, 人脸识别认证注册).
 */
export interface PortraitAuthority {
  readonly kind: "local" | "http";
  compare(identity: { docNumber: string; name: string }, face: LiveFace): Promise<PortraitVerdict>;
}

export function localPortraitAuthority(references: PortraitReferenceStore): PortraitAuthority {
  return {
    kind: "local",
    async compare({ docNumber, name }, face) {
      const reference = await references.find(docNumber);
      // The name is part of the identity: a reference enrolled under another name does not count.
      if (!reference || reference.name !== name) return { result: "not-enrolled" };
      const distance = faceDistance(reference.descriptor, face.descriptor);
      return { result: distance <= SAME_PERSON_THRESHOLD ? "match" : "no-match", distance };
    },
  };
}

/**
 * A real portrait authority over HTTP: POST {docNumber, name, photo: base64 JPEG} with a bearer
 * token; it answers {result: "match" | "no-match" | "not-enrolled"}. Anything else — no answer
 * within 10 s, another status, another body — is PORTRAIT_AUTHORITY_UNAVAILABLE.
 */
export function httpPortraitAuthority(url: string, token: string | undefined, timeoutMs = 10_000): PortraitAuthority {
  return {
    kind: "http",
    async compare({ docNumber, name }, face) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ docNumber, name, photo: Buffer.from(face.photo).toString("base64") }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch {
        throw new AppError("PORTRAIT_AUTHORITY_UNAVAILABLE");
      }
      const body = (await response.json().catch(() => null)) as { result?: unknown } | null;
      const result = body?.result;
      if (!response.ok || (result !== "match" && result !== "no-match" && result !== "not-enrolled")) {
        throw new AppError("PORTRAIT_AUTHORITY_UNAVAILABLE");
      }
      return { result };
    },
  };
}
