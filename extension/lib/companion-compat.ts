/**
 * Whether the companion that answers will serve this extension, as this page last saw it: it may
 * not trust this browser yet (Firefox: each install has its own origin, trusted by pairing the
 * browser), or speak another protocol version than the one this extension was built for (one of
 * the two was updated, not the other). Pages then show why, instead of failing call after call;
 * what a call finds reports here (companion-client), like reachability does (companion-status).
 */
import { browser } from "wxt/browser";
import { PROTOCOL_VERSION } from "../../shared/protocol-version.js";

export type CompanionCompat =
  | { kind: "ok" }
  | { kind: "untrusted" }
  | { kind: "mismatch"; companionVersion: string; companionProtocol: number };

let compat: CompanionCompat = { kind: "ok" };
const listeners = new Set<(compat: CompanionCompat) => void>();

function change(next: CompanionCompat): void {
  if (JSON.stringify(next) === JSON.stringify(compat)) return;
  compat = next;
  for (const listener of [...listeners]) listener(next);
}

export const companionCompat = (): CompanionCompat => compat;

/** Calls `listener` with each change; returns the unsubscribe. */
export function onCompanionCompat(listener: (compat: CompanionCompat) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The companion refused this browser's origin as not yet trusted (BROWSER_NOT_TRUSTED). */
export function reportUntrusted(): void {
  change({ kind: "untrusted" });
}

/** The companion served a call: this browser is trusted (a mismatch found by /healthz stays). */
export function reportServed(): void {
  if (compat.kind === "untrusted") change({ kind: "ok" });
}

/** What /healthz says the companion speaks. */
export function reportCompanionVersion(version: string, protocolVersion: number): void {
  change(
    protocolVersion === PROTOCOL_VERSION
      ? { kind: "ok" }
      : { kind: "mismatch", companionVersion: version, companionProtocol: protocolVersion },
  );
}

/** The extension's own version and the protocol it speaks, for the mismatch screen. */
export const extensionBuild = (): { version: string; protocolVersion: number } => ({
  version: browser.runtime.getManifest().version,
  protocolVersion: PROTOCOL_VERSION,
});
