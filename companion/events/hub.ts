import type { ServerEvent } from "../../shared/api/grants.js";

export interface Subscriber {
  send(event: ServerEvent): void;
}

/**
 * Who is listening, by person: extension pages now, desktop clients next. Publishing never blocks
 * the decision that caused it.
 */
export function eventHub() {
  const byPerson = new Map<string, Set<Subscriber>>();
  return {
    subscribe(personId: string, subscriber: Subscriber): () => void {
      let set = byPerson.get(personId);
      if (!set) {
        set = new Set();
        byPerson.set(personId, set);
      }
      set.add(subscriber);
      return () => {
        set.delete(subscriber);
        if (set.size === 0) byPerson.delete(personId);
      };
    },
    publish(personId: string, event: ServerEvent): void {
      for (const subscriber of byPerson.get(personId) ?? []) subscriber.send(event);
    },
    listeners: (personId: string) => byPerson.get(personId)?.size ?? 0,
  };
}

export type EventHub = ReturnType<typeof eventHub>;
