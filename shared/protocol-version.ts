/**
 * The version of what the companion speaks to its clients (the HTTP API and the sockets). It goes
 * up when a change would break a client built for the one before; the extension refuses to work
 * with a companion that speaks another one (and says which versions), rather than fail oddly.
 */
export const PROTOCOL_VERSION = 1;
