#!/usr/bin/env node
// taxauth-desk, the reference desktop client (desktop-client/main.ts, compiled by `npm run build:companion`).
// It talks to the companion only over the desktop socket, so it needs no keychain.
await import("../dist/desktop-client/main.js");
