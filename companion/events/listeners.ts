/** Listeners by key (a person, a paired client): each added and removed on its own, all told at once. */
export function keyedListeners<T = void>() {
  const byKey = new Map<string, Set<(value: T) => void>>();
  return {
    /** Listens to `key` until the function it gives is called. */
    add(key: string, listener: (value: T) => void): () => void {
      let set = byKey.get(key);
      if (!set) {
        set = new Set();
        byKey.set(key, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) byKey.delete(key);
      };
    },
    tell(key: string, value: T): void {
      for (const listener of byKey.get(key) ?? []) listener(value);
    },
    /** Every listener of every key. */
    tellAll(value: T): void {
      for (const set of byKey.values()) for (const listener of set) listener(value);
    },
    count: (key: string) => byKey.get(key)?.size ?? 0,
  };
}
