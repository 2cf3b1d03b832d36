// Bundles the `taxauth` command (companion + CLI) into dist/taxauth/. Loading one bundle instead
// of ~500 module files (zod alone is 100) cuts start-up by ~250 ms and idle RSS by ~7 MB, both
// budgeted against a bare Fastify process (ready ≤ 1.3×, idle RSS ≤ 1.2×). Lazily imported parts
// (CLI commands, demo, captcha…) stay separate chunks.
import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
const target = join(root, "dist", "taxauth");
// Built beside the current bundle and swapped in at the end: a `taxauth` command running meanwhile
// (the companion, a test) keeps finding its files.
const outdir = `${target}.next`;
rmSync(outdir, { recursive: true, force: true });

await build({
  // The face model's worker thread is an entry of its own, next to the chunks that start it.
  entryPoints: {
    main: join(root, "companion", "cli", "main.ts"),
    "face-worker": join(root, "companion", "portrait", "face-worker.ts"),
    // What the browser runs to start the companion on demand (taxauth service install).
    "native-host": join(root, "companion", "service", "native-host-main.ts"),
  },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Native addons and packages that read files next to their own code stay in node_modules.
  external: [
    "better-sqlite3",
    "keytar",
    "@node-rs/argon2",
    "sharp",
    "@tensorflow/tfjs",
    "@tensorflow/tfjs-backend-wasm",
    "@vladmandic/face-api",
  ],
  // CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
  banner: {
    js: "import { createRequire as taxauthCreateRequire } from 'node:module'; const require = taxauthCreateRequire(import.meta.url);",
  },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  logLevel: "warning",
});

const previous = `${target}.previous`;
rmSync(previous, { recursive: true, force: true });
if (existsSync(target)) renameSync(target, previous);
renameSync(outdir, target);
rmSync(previous, { recursive: true, force: true });
