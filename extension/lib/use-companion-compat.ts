import { useEffect, useState } from "preact/hooks";
import { type CompanionCompat, companionCompat, onCompanionCompat } from "./companion-compat.js";
import { loadCompanion } from "./lazy.js";
import { useOnReconnect } from "./use-companion-status.js";

/** Whether the companion serves this extension, kept current (see companion-compat). */
export function useCompanionCompat(): CompanionCompat {
  const [compat, setCompat] = useState(companionCompat);
  useEffect(() => {
    setCompat(companionCompat());
    return onCompanionCompat(setCompat);
  }, []);
  return compat;
}

/**
 * Asks /healthz which companion answers: when the view opens (`onOpen`: unless the view asks it
 * itself, as the popup does) and whenever the companion is back after being away — it may have
 * been updated meanwhile. What it says is reported by the call (companion-client).
 */
export function useVersionCheck({ onOpen }: { onOpen: boolean }): void {
  const check = () =>
    void loadCompanion()
      .then((companion) => companion.health())
      .catch(() => undefined);
  useEffect(() => {
    if (onOpen) check();
  }, []);
  useOnReconnect(check);
}

/** Calls `onTrusted` when this browser becomes trusted after it was refused (its pairing was approved). */
export function useOnTrusted(onTrusted: () => void): void {
  useEffect(() => {
    let untrusted = companionCompat().kind === "untrusted";
    return onCompanionCompat((compat) => {
      if (compat.kind !== "untrusted" && untrusted) onTrusted();
      untrusted = compat.kind === "untrusted";
    });
  }, []);
}
