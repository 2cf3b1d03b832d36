import * as z from "zod";
import { endpoint } from "./endpoint.js";
import { pageQuerySchema, pageSchema } from "./paging.js";

/**
 * Contract of desktop pairing between the popup and the companion (HTTP, Bearer session token).
 * The desktop client's own side of pairing is the socket protocol in shared/desktop/protocol.ts.
 */

/**
 * How many local desktop clients wait for pairing. The popup shows only the number: their names
 * and codes are for whoever types a code, so a flood of requests cannot bury the real one or show
 * its code to anyone.
 */
export const pairingsPendingSchema = z.object({ pending: z.number().int().nonnegative() });
export type PairingsPending = z.infer<typeof pairingsPendingSchema>;

/** The 6-digit code the desktop client shows, typed by the person: it picks the one request. */
export const pairingCodeSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "请输入桌面客户端上显示的6位配对码"),
});

/** The request whose code was typed: the person checks the name before 允许 or 拒绝. */
export const pairingMatchSchema = z.object({
  clientName: z.string(),
  /** ISO 8601 instant. */
  requestedAt: z.string(),
  /** Seconds left before the request expires. */
  expiresIn: z.number().int().nonnegative(),
});
export type PairingMatch = z.infer<typeof pairingMatchSchema>;

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
  pairingsPending: endpoint({
    method: "GET",
    path: "/api/desktop/pairings",
    summary: "How many local desktop clients wait for pairing (5-minute life)",
    auth: true,
    responses: { 200: pairingsPendingSchema },
  }),
  findPairing: endpoint({
    method: "POST",
    path: "/api/desktop/pairings/find",
    summary: "The pending request showing the typed code: its client's name, to check before 允许",
    auth: true,
    body: pairingCodeSchema,
    responses: { 200: pairingMatchSchema },
  }),
  approvePairing: endpoint({
    method: "POST",
    path: "/api/desktop/pairings/approve",
    summary: "允许, by the typed code: the client gets its own revocable token",
    auth: true,
    body: pairingCodeSchema,
    responses: { 200: pairedClientSchema },
  }),
  denyPairing: endpoint({
    method: "POST",
    path: "/api/desktop/pairings/deny",
    summary: "拒绝, by the typed code",
    auth: true,
    body: pairingCodeSchema,
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
