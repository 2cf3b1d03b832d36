import { configFromEnv } from "../config.js";
import { type Core, openCore } from "../core.js";

/** Runs a CLI command on the companion's domain services over the data dir, then closes them. */
export async function withCore<T>(run: (core: Core) => T | Promise<T>): Promise<T> {
  const core = await openCore(configFromEnv());
  try {
    return await run(core);
  } finally {
    await core.close();
  }
}
