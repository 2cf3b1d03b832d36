// The face model's thread: decoding and the model's three networks take ~1 s per photo, so they run
// here, one photo at a time, and the companion's request thread stays free (issue 6).

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parentPort } from "node:worker_threads";
import type { FaceJob, FaceJobResult, FoundFace } from "./face-engine.js";

const require = createRequire(import.meta.url);
/** Longer side of the image the model sees; larger photos are scaled down first (faster, same result). */
const MAX_SIDE = 1280;
const MIN_CONFIDENCE = 0.5;

type FaceApi = typeof import("@vladmandic/face-api/dist/face-api.node-wasm.js");

async function loadModel(): Promise<FaceApi> {
  const tf = require("@tensorflow/tfjs") as typeof import("@tensorflow/tfjs");
  const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
  const faceapi = require("@vladmandic/face-api/dist/face-api.node-wasm.js") as FaceApi;
  // The wasm binaries and the model weights ship inside the npm packages: read from disk, no fetch.
  wasm.setWasmPaths(`${join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist")}/`, false);
  await tf.setBackend("wasm");
  await tf.ready();
  const models = join(dirname(require.resolve("@vladmandic/face-api/package.json")), "model");
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(models);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(models);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(models);
  return faceapi;
}

const model = loadModel();

async function analyze(image: Uint8Array): Promise<FoundFace[]> {
  const faceapi = await model;
  const sharp = (await import("sharp")).default;
  let decoded: { data: Buffer; info: { width: number; height: number } };
  try {
    decoded = await sharp(image, { limitInputPixels: 40_000_000 })
      .rotate()
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: "inside", withoutEnlargement: true })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch {
    throw new Error("IMAGE_INVALID");
  }
  const { width, height } = decoded.info;
  const tensor = faceapi.tf.tensor3d(new Uint8Array(decoded.data), [height, width, 3], "int32");
  try {
    const found = await faceapi
      .detectAllFaces(tensor as never, new faceapi.SsdMobilenetv1Options({ minConfidence: MIN_CONFIDENCE }))
      .withFaceLandmarks()
      .withFaceDescriptors();
    return found.map(({ detection, landmarks, descriptor }) => ({
      score: detection.score,
      box: {
        x: detection.box.x / width,
        y: detection.box.y / height,
        width: detection.box.width / width,
        height: detection.box.height / height,
      },
      descriptor: Array.from(descriptor),
      landmarks: landmarks.positions.map((p) => [p.x, p.y] as [number, number]),
    }));
  } finally {
    tensor.dispose();
  }
}

// One job at a time: the wasm backend is single-threaded and each job holds a large tensor.
let queue: Promise<unknown> = Promise.resolve();
parentPort?.on("message", (job: FaceJob) => {
  queue = queue.then(async () => {
    const result: FaceJobResult = await analyze(job.image).then(
      (faces) => ({ id: job.id, faces }),
      (error: Error) => ({ id: job.id, error: error.message === "IMAGE_INVALID" ? "IMAGE_INVALID" : "MODEL_FAILED" }),
    );
    parentPort?.postMessage(result);
  });
});
