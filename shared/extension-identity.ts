// The development build pins the extension's public key in its manifest, so its ID (and so its
// Origin) is the same on every machine; the companion always accepts this origin, and the store
// builds' IDs it is told (TAXAUTH_EXTENSION_IDS).
export const EXTENSION_PUBLIC_KEY =
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuIzDYGWSrcx3lvEvicu6j5PkKaskLjKZw9gMzo9ZF6NlrGSj4vsThxtGkrPvvQfRUa5u117C5UYW6vaFpjd8+yg5H+x3IPLELOAgE81y5CvX5xPr91TqObAoqnaLb1OGAHl0gWfPpPR37Cvg0A911QOSil7AU1o6KkaVb0e8YKQdMVP0HoHI7pfocB7pg4XcqDSmEArZWILrE1F4DqWYGefRb7+T5A7KZaFVpKDMx6fNBHTCYYLAtJOMtSD8JrKqJbcizYkgRb+t6w1ENC3G0bw/mHt2MlQ7DRROns6+E3eiIdSEndUw2HGiWZalvQpowtrDZlMsOYTCj8IbFnqEOQIDAQAB";

/** Chromium derives this from the key above (sha256 of the DER key, first 32 hex digits as a–p). */
export const EXTENSION_ID = "oioampiekdfjggehcapnjlppodbigldm";
export const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}`;

/** A Chrome/Edge extension ID: 32 letters a–p (what a store assigns, or what a key derives). */
export const CHROME_EXTENSION_ID_PATTERN = /^[a-p]{32}$/;

/**
 * The Firefox add-on's ID (browser_specific_settings.gecko.id). It is not its origin: Firefox gives
 * each install a random moz-extension://<uuid>, trusted by pairing the browser.
 */
export const FIREFOX_EXTENSION_ID = "taxauth@taxauth";
export const FIREFOX_ORIGIN_PATTERN =
  /^moz-extension:\/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const DEFAULT_COMPANION_PORT = 17800;
export const DEFAULT_COMPANION_URL = `http://127.0.0.1:${DEFAULT_COMPANION_PORT}`;

/**
 * The native messaging host `taxauth service install` registers with Chrome, Chromium and Edge:
 * the popup asks it to start the companion when nothing answers.
 */
export const NATIVE_HOST_NAME = "com.taxauth.companion";
