import { z } from "zod";
import { type ServerEvent, serverEventSchema } from "../../shared/api/grants.js";
import { keyedListeners } from "./listeners.js";
import { busTopic, type OfficeBus } from "./office-bus.js";

export interface Subscriber {
  send(event: ServerEvent): void;
}

/**
 * People a ServerEvent is for, in notices of this many: their ids (36 characters each) and the
 * event (a few hundred bytes: a unit name is at most 100 characters) stay far below NOTIFY's limit.
 */
const PEOPLE_PER_NOTICE = 100;

const personEvents = busTopic(
  "person-event",
  z.object({ to: z.array(z.string()).max(PEOPLE_PER_NOTICE), event: serverEventSchema }),
);

/**
 * Who is listening, by person: extension pages now, desktop clients next. An event reaches the
 * person's subscribers on every companion of the office (through the bus). Publishing never blocks
 * the decision that caused it.
 */
export function eventHub(bus: Pick<OfficeBus, "publish" | "subscribe">) {
  const byPerson = keyedListeners<ServerEvent>();
  bus.subscribe(personEvents, {
    receive({ to, event }) {
      for (const personId of to) byPerson.tell(personId, event);
    },
    // Notices sent while this companion could not hear the others are lost: every page is told
    // `ready` again, which makes it reload what it shows, as after its own reconnect.
    catchUp: () => byPerson.tellAll({ type: "ready" }),
  });
  return {
    subscribe: (personId: string, subscriber: Subscriber): (() => void) =>
      byPerson.add(personId, (event) => subscriber.send(event)),
    publish(personIds: readonly string[], event: ServerEvent): void {
      for (let i = 0; i < personIds.length; i += PEOPLE_PER_NOTICE) {
        const to = personIds.slice(i, i + PEOPLE_PER_NOTICE);
        // A notice the database could not take is lost: the pages show the change when next loaded.
        void bus.publish(personEvents, { to, event }).catch(() => undefined);
      }
    },
    listeners: byPerson.count,
  };
}

export type EventHub = ReturnType<typeof eventHub>;
