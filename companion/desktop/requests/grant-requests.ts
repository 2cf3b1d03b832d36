import { grantRequestCreateSchema } from "../../../shared/api/grant-requests.js";
import { parseInput } from "../../errors.js";
import type { GrantRequestsService } from "../../grant-requests/grant-requests.js";
import type { DesktopHandlers } from "./handlers.js";

/** 申请授权 from a desktop client: the logged-in person asks a unit, as from the popup. */
export function grantRequestRequests(deps: {
  grantRequests: Pick<GrantRequestsService, "ask">;
}): DesktopHandlers<"grant.request"> {
  return {
    "grant.request": async ({ id: _id, type: _type, ...fields }, connection) => {
      const viewer = await connection.requireSession();
      // The socket's frame schema has the fields; the term rule (止 for 定期 only, 止 ≥ 起) is checked here.
      return deps.grantRequests.ask(viewer.personId, parseInput(grantRequestCreateSchema, fields));
    },
  };
}
