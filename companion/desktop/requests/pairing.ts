import { DESKTOP_PROTOCOL_VERSION, PAIR_REQUESTS_PER_MINUTE } from "../../../shared/desktop/protocol.js";
import { type PeopleStore, personSummary } from "../../accounts/people.js";
import { type Clock, MINUTE } from "../../clock.js";
import { AppError } from "../../errors.js";
import { type WindowLimit, windowLimit } from "../../security/window-limit.js";
import type { DesktopConnection } from "../connection.js";
import type { DesktopPairing } from "../pairing.js";
import type { DesktopHandlers } from "./handlers.js";

export interface PairingRequestDeps {
  pairing: Pick<DesktopPairing, "request" | "withdraw" | "authenticate">;
  people: Pick<PeopleStore, "byId">;
  clock: Clock;
}

/** What a connection may ask before it is paired: to pair, to say which paired client it is, and ping. */
export function pairingRequests({
  pairing,
  people,
  clock,
}: PairingRequestDeps): DesktopHandlers<"pair.request" | "hello" | "ping"> {
  // Per connection only: a limit shared by all connections would be one a flood could use up.
  const asked = new WeakMap<DesktopConnection, WindowLimit>();
  return {
    "pair.request": ({ clientName }, connection) => {
      const limit = asked.get(connection) ?? windowLimit(clock, PAIR_REQUESTS_PER_MINUTE, MINUTE);
      asked.set(connection, limit);
      limit.refuseWhenFull("RATE_LIMITED");
      limit.count();
      if (connection.pendingPairing) pairing.withdraw(connection.pendingPairing);
      const opened = pairing.request(clientName, (decision) => {
        connection.pendingPairing = null;
        if (decision.outcome === "approved") {
          connection.pairAs(decision.client);
          connection.send({ event: "pair.approved", clientToken: decision.clientToken });
        } else {
          connection.send({ event: decision.outcome === "denied" ? "pair.denied" : "pair.expired" });
        }
      });
      connection.pendingPairing = opened.id;
      return { code: opened.code, expiresIn: opened.expiresIn };
    },

    hello: async ({ clientToken }, connection) => {
      const paired = await pairing.authenticate(clientToken);
      if (!paired) throw new AppError("NOT_PAIRED");
      connection.pairAs(paired);
      const person = connection.loggedInAs ? await people.byId(connection.loggedInAs) : null;
      return {
        clientName: paired.name,
        person: person ? personSummary(person) : null,
        protocolVersion: DESKTOP_PROTOCOL_VERSION,
      };
    },

    ping: () => ({}),
  };
}
