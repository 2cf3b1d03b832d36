import * as z from "zod";

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

/** GET /api/desktop/pairings */
export const pairingRequestsResponseSchema = z.object({ requests: z.array(pairingRequestSchema) });
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

/** GET /api/desktop/clients (POST /api/desktop/pairings/:id/approve answers one pairedClientSchema). */
export const pairedClientsResponseSchema = z.object({ clients: z.array(pairedClientSchema) });
export type PairedClientsResponse = z.infer<typeof pairedClientsResponseSchema>;
