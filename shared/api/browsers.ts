import * as z from "zod";
import { endpoint } from "./endpoint.js";

/**
 * Pairing a browser whose extension origin is not known in advance (Firefox: each install has a
 * random moz-extension://<uuid>): the browser asks and shows a code; `taxauth browser approve
 * <code>`, or a person logged in from an already trusted browser, confirms it.
 */

/** Requests waiting, all browsers together; past it the oldest goes, so a new request always gets in. */
export const BROWSER_PAIRING_MAX_PENDING = 1_000;
/** New requests from one origin, at most this many a minute (RATE_LIMITED past it). */
export const BROWSER_PAIR_REQUESTS_PER_MINUTE = 3;

export const browserPairingCodeSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "请输入另一浏览器扩展上显示的6位配对码"),
});

export const browserPairingRequestedSchema = z.object({
  /** Shown by the browser asking; typed where it is approved. */
  code: z.string(),
  /** Seconds the request lives. */
  expiresIn: z.number().int().positive(),
});
export type BrowserPairingRequested = z.infer<typeof browserPairingRequestedSchema>;

export const trustedBrowserSchema = z.object({ origin: z.string() });

export const browsersApi = {
  requestBrowserPairing: endpoint({
    method: "POST",
    path: "/api/browser-pairings",
    summary:
      "A browser not yet trusted (Firefox: its moz-extension:// origin) asks to be: the code it shows (asking again while it waits gives the same code)",
    auth: false,
    responses: { 200: browserPairingRequestedSchema },
  }),
  approveBrowserPairing: endpoint({
    method: "POST",
    path: "/api/browser-pairings/approve",
    summary: "A person in a trusted browser types the code another browser shows: that browser's origin is trusted",
    auth: true,
    body: browserPairingCodeSchema,
    responses: { 200: trustedBrowserSchema },
  }),
};
