/**
 * The version of what the companion speaks to its clients: the desktop socket (answered by `hello`),
 * the HTTP API and the extension's sockets (named by /healthz). Additions a client may ignore (a
 * request type, an optional field, a result field, an event, an error code, an endpoint) keep it;
 * anything that breaks a client written to the documented version (a field removed, renamed,
 * retyped or made required, a meaning changed) raises it. docs/desktop-protocol.md says how
 * clients treat it; the extension refuses to work with a companion that speaks another one (and
 * says which versions) rather than fail oddly. Its own file: the popup's first screen imports it
 * without the protocol's schemas.
 */
export const PROTOCOL_VERSION = 1;
