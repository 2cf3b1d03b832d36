import * as z from "zod";
import { endpoint } from "./endpoint.js";
import { pageQuerySchema, pageSchema } from "./paging.js";

/**
 * Contract of desktop pairing between the popup and the companion (HTTP, Bearer session token).
 * The desktop client's own side of pairing is the socket protocol in shared/desktop/protocol.ts.
 */

/** A pending request from a local desktop client: the popup shows it to 允许 or 拒绝 (5-minute life). */
export const pairingRequestSchema = z.object({
  id: z.string(),
  clientName: z.string(),
  /** The 6-digit code the desktop client shows; the person compares the two. */
  code: z.string().regex(/^\d{6}$/),
  /** ISO 8601 instant. */
  requestedAt: z.string(),
});
export type PairingRequest = z.infer<typeof pairingRequestSchema>;

/** Oldest first. */
export const pairingRequestsResponseSchema = pageSchema(pairingRequestSchema);
export type PairingRequestsResponse = z.infer<typeof pairingRequestsResponseSchema>;

/** A desktop client the person approved: it holds its own revocable token. */
export const pairedClientSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** ISO 8601 instants; lastSeenAt is null until the client first connects with its token. */
  pairedAt: z.string(),
  lastSeenAt: z.string().nullable(),
});
export type PairedClient = z.infer<typeof pairedClientSchema>;

/** In pairing order. */
export const pairedClientsResponseSchema = pageSchema(pairedClientSchema);
export type PairedClientsResponse = z.infer<typeof pairedClientsResponseSchema>;

const idParamSchema = z.object({ id: z.string().uuid() });

export const desktopApi = {
  pairingRequests: endpoint({
    method: "GET",
    path: "/api/desktop/pairings",
    summary: "Pending pairing requests of local desktop clients",
    auth: true,
    query: pageQuerySchema,
    responses: { 200: pairingRequestsResponseSchema },
  }),
  approvePairing: endpoint({
    method: "POST",
    path: "/api/desktop/pairings/:id/approve",
    summary: "允许: the client gets its own revocable token",
    auth: true,
    params: idParamSchema,
    responses: { 200: pairedClientSchema },
  }),
  denyPairing: endpoint({
    method: "POST",
    path: "/api/desktop/pairings/:id/deny",
    summary: "拒绝",
    auth: true,
    params: idParamSchema,
    responses: { 204: null },
  }),
  desktopClients: endpoint({
    method: "GET",
    path: "/api/desktop/clients",
    summary: "The person's paired desktop clients; q searches their names",
    auth: true,
    query: pageQuerySchema,
    responses: { 200: pairedClientsResponseSchema },
  }),
  revokeDesktopClient: endpoint({
    method: "POST",
    path: "/api/desktop/clients/:id/revoke",
    summary: "解除配对: the client's connections end at once",
    auth: true,
    params: idParamSchema,
    responses: { 204: null },
  }),
};
