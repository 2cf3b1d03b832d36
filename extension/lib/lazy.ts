import { type ComponentChildren, type ComponentType, Fragment, h } from "preact";
import { useEffect, useState } from "preact/hooks";

/**
 * What a page's first screen does not need is loaded on demand (a dynamic import, its own chunk),
 * so the popup's login form shows before zod, the shared schemas and the other views are loaded.
 */

/** `load` run once, on the first call; later calls answer the same promise (a failed one is retried). */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (!pending) {
      pending = load();
      pending.catch(() => {
        pending = undefined;
      });
    }
    return pending;
  };
}

/** `load()`'s answer once it is there (null before): the component renders again when it arrives. */
export function useLoaded<T>(load: () => Promise<T>): T | null {
  const [value, setValue] = useState<{ loaded: T } | null>(null);
  useEffect(() => {
    let live = true;
    void load().then((loaded) => live && setValue({ loaded }));
    return () => {
      live = false;
    };
  }, [load]);
  return value ? value.loaded : null;
}

/** A component whose code is loaded the first time it is rendered; `fallback` shows meanwhile. */
export function lazyComponent<P extends object>(
  load: () => Promise<ComponentType<P>>,
  fallback: ComponentChildren = null,
): ComponentType<P> {
  const get = once(load);
  let loaded: ComponentType<P> | null = null;
  return function Lazy(props: P) {
    const component = useLoaded(get) ?? loaded;
    if (component) loaded = component;
    return component ? h(component, props) : h(Fragment, null, fallback);
  };
}

/** The companion client (zod and every shared schema): loaded when a call is first made. */
export const loadCompanion = once(() => import("./companion-client.js").then((module) => module.companion));
