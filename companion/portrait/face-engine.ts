import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { AppError } from "../errors.js";

/** One face the model found: where, how sure, its 128-number descriptor and 68 landmarks (pixels). */
export interface FoundFace {
  score: number;
  /** Relative to the image (0–1). */
  box: { x: number; y: number; width: number; height: number };
  descriptor: number[];
  landmarks: Array<[number, number]>;
}

export interface FaceJob {
  id: number;
  image: Uint8Array;
}
export type FaceJobResult =
  | { id: number; faces: FoundFace[] }
  | { id: number; error: "IMAGE_INVALID" | "MODEL_FAILED" };

/** Photos waiting at most; beyond that callers are told to retry (the model takes ~1 s a photo). */
const MAX_QUEUED = 24;

export interface FaceEngine {
  /** Every face in a photo (JPEG, PNG, WebP…). */
  faces(image: Uint8Array): Promise<FoundFace[]>;
  close(): Promise<void>;
}

function workerUrl(): URL {
  const sibling = new URL("./face-worker.js", import.meta.url);
  // Run from the TypeScript sources (tests), the worker is the compiled one in dist/.
  return existsSync(fileURLToPath(sibling))
    ? sibling
    : new URL("../../dist/companion/portrait/face-worker.js", import.meta.url);
}

/**
 * The face model in a worker thread, started on first use (loading takes ~0.5 s and ~100 MB, which
 * a companion that never sees a face registration should not pay). Photos queue in the worker.
 */
export function faceEngine(): FaceEngine {
  let worker: Worker | null = null;
  let nextId = 1;
  const waiting = new Map<number, { resolve(faces: FoundFace[]): void; reject(error: Error): void }>();

  function started(): Worker {
    if (worker) return worker;
    const started = new Worker(workerUrl());
    started.on("message", (result: FaceJobResult) => {
      const pending = waiting.get(result.id);
      waiting.delete(result.id);
      if (waiting.size === 0) started.unref();
      if (!pending) return;
      if (!("error" in result)) pending.resolve(result.faces);
      else if (result.error === "IMAGE_INVALID") pending.reject(new AppError("FACE_IMAGE_INVALID"));
      else pending.reject(new AppError("INTERNAL"));
    });
    const fail = (error: Error) => {
      for (const pending of waiting.values()) pending.reject(error);
      waiting.clear();
      worker = null;
    };
    started.on("error", fail);
    started.on("exit", () => fail(new AppError("INTERNAL")));
    worker = started;
    return started;
  }

  return {
    faces(image) {
      if (waiting.size >= MAX_QUEUED) return Promise.reject(new AppError("RATE_LIMITED", { retryAfter: 5 }));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        // The thread keeps the process alive only while it has work: an idle model must not.
        const running = started();
        running.ref();
        running.postMessage({ id, image } satisfies FaceJob);
      });
    },
    async close() {
      const running = worker;
      worker = null;
      await running?.terminate();
    },
  };
}
