// npm pack's prepack/postpack: the tarball carries the lock file as npm-shrinkwrap.json, so a global
// install gets the dependency tree the tests ran on (and can install offline from a warm npm cache).
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const shrinkwrap = join(root, "npm-shrinkwrap.json");
if (process.argv[2] === "remove") rmSync(shrinkwrap, { force: true });
else copyFileSync(join(root, "package-lock.json"), shrinkwrap);
