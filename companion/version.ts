import packageJson from "../package.json" with { type: "json" };

/** The companion's version: the package's (the extension's manifest carries the same one). */
export const COMPANION_VERSION: string = packageJson.version;
