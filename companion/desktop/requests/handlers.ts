import type { DesktopRequest, DesktopRequestType, DesktopResult } from "../../../shared/desktop/protocol.js";
import type { DesktopConnection } from "../connection.js";

/**
 * Handlers of desktop requests by type. Each gets its own request and the connection and answers
 * its type's result: a result with a field missing or of the wrong type does not compile.
 */
export type DesktopHandlers<T extends DesktopRequestType, Context = DesktopConnection> = {
  [K in T]: (
    request: Extract<DesktopRequest, { type: K }>,
    context: Context,
  ) => DesktopResult<K> | Promise<DesktopResult<K>>;
};
