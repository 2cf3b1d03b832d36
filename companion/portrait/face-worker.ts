// The face model's thread: decoding and the model's three networks take ~1 s per photo, so they run
// here, one photo at a time, and the companion's request thread stays free (issue 6).

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parentPort } from "node:worker_threads";
import type { FaceJob, FaceJobResult, FoundFace } from "./face-engine.js";
import { rollOf } from "./face-match.js";

const require = createRequire(import.meta.url);
/** Longer side of the image the model sees; larger photos are scaled down first (faster, same result). */
const MAX_SIDE = 1280;
const MIN_CONFIDENCE = 0.5;
/**
 * Past this head tilt (eye line against the horizontal, degrees) the face is turned upright before its
 * descriptor is computed: the recognition net is not rotation invariant, so a tilted head would
 * otherwise look like another person (turned 20°, a sample face moved up to 0.66 from itself, past
 * the same-person threshold). Below it no extra pass is paid.
 */
const LEVEL_FROM_DEGREES = 10;

type FaceApi = typeof import("@vladmandic/face-api/dist/face-api.node-wasm.js");
interface Decoded {
  data: Buffer;
  info: { width: number; height: number };
}
type Points = Array<[number, number]>;

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
  let decoded: Decoded;
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
    const faces: FoundFace[] = [];
    for (const { detection, landmarks, descriptor } of found) {
      const points: Points = landmarks.positions.map((p) => [p.x, p.y]);
      faces.push({
        score: detection.score,
        box: {
          x: detection.box.x / width,
          y: detection.box.y / height,
          width: detection.box.width / width,
          height: detection.box.height / height,
        },
        descriptor: Array.from((await uprightDescriptor(faceapi, decoded, points)) ?? descriptor),
        landmarks: points,
      });
    }
    return faces;
  } finally {
    tensor.dispose();
  }
}

/**
 * The descriptor of a tilted face computed on the picture turned so the eyes are level (the landmarks
 * turned with it, then the model's own dlib-style crop); null for a face upright enough.
 */
async function uprightDescriptor(faceapi: FaceApi, decoded: Decoded, points: Points): Promise<Float32Array | null> {
  const degrees = rollOf(points);
  if (Math.abs(degrees) < LEVEL_FROM_DEGREES) return null;
  const roll = (degrees * Math.PI) / 180;
  const sharp = (await import("sharp")).default;
  const { width, height } = decoded.info;
  // sharp turns clockwise about the centre and grows the canvas to hold the corners.
  const turned = await sharp(decoded.data, { raw: { width, height, channels: 3 } })
    .rotate(-degrees, { background: "#808080" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const [cos, sin] = [Math.cos(roll), Math.sin(roll)];
  const levelled = points.map(([x, y]) => {
    const [dx, dy] = [x - width / 2, y - height / 2];
    return new faceapi.Point(
      (turned.info.width / 2 + cos * dx + sin * dy) / turned.info.width,
      (turned.info.height / 2 - sin * dx + cos * dy) / turned.info.height,
    );
  });
  const box = new faceapi.FaceLandmarks68(levelled, turned.info).align(null, { useDlibAlignment: true });
  const tensor = faceapi.tf.tensor3d(new Uint8Array(turned.data), [turned.info.height, turned.info.width, 3], "int32");
  const [chip] = await faceapi.extractFaceTensors(tensor, [box]);
  try {
    return (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(chip as never)) as Float32Array;
  } finally {
    chip?.dispose();
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
