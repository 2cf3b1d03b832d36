import type { Plugin } from "vite";
import { defineConfig, type Entrypoint, type EntrypointGroup } from "wxt";
import { EXTENSION_PUBLIC_KEY, FIREFOX_EXTENSION_ID } from "./shared/extension-identity.js";

/**
 * The popup must be interactive within 2× an empty extension page, and each file a page loads before
 * it runs costs a request to the extension's files. So the popup is built on its own: its first
 * screen (its entry's static imports, with Preact) is then one file, with no chunk shared with the
 * other pages (their code would come with it), and its CSS is written into popup.html. What it
 * needs later it imports dynamically, so those chunks are built for it separately from the pages'.
 */
function buildPopupAlone(groups: EntrypointGroup[]): void {
  const pages = groups.find((group) => Array.isArray(group) && group.some(isPopup));
  if (!Array.isArray(pages) || pages.length === 1) return;
  const popup = pages.find(isPopup)!;
  pages.splice(pages.indexOf(popup), 1);
  groups.push([popup]);
}

const isPopup = (entrypoint: Entrypoint) => entrypoint.name === "popup";

/**
 * Writes each stylesheet popup.html links (its entry's CSS, one sheet) into the page itself: a
 * linked sheet is one more request, and the module script waits for it. (No sheet of the popup
 * refers to another file with url(), which would then resolve against popup.html.) The file stays
 * in the bundle: a chunk loaded from a lazy view (申请授权 under 我的办税权限) lists it among the
 * sheets it preloads, and a missing one would fail that import.
 */
function inlinePopupCss(): Plugin {
  return {
    name: "taxauth:inline-popup-css",
    transformIndexHtml: {
      order: "post",
      handler: (html, { bundle }) =>
        html.replace(/<link rel="stylesheet"[^>]*\bhref="\/([^"]+)"[^>]*>/g, (_link, file: string) => {
          const sheet = bundle?.[file];
          if (sheet?.type !== "asset") throw new Error(`wxt.config.ts: popup.html links ${file}, not in the bundle`);
          return `<style>${String(sheet.source)}</style>`;
        }),
    },
  };
}

// The extension: popup (login, 我的办税权限), full-tab pages (register, forgot password, options,
// 企业办税权限), and a background service worker (grant notifications, the toolbar badge).
// The development build's manifest key pins the Chrome/Edge extension ID, which the companion
// always trusts. `npm run package` builds in the "store" mode: the Chrome Web Store assigns its own
// ID and rejects a manifest `key`, so that build has none (the companion is told the store IDs in
// TAXAUTH_EXTENSION_IDS). Firefox ignores `key` and gives each install a random origin instead,
// which the companion trusts once the browser is paired.
export default defineConfig({
  srcDir: "extension",
  publicDir: "extension/public",
  outDir: ".output",
  imports: false,
  // Firefox gets MV3 too: one manifest shape (action, storage.session) for every browser.
  manifestVersion: 3,
  zip: { artifactTemplate: "{{name}}-{{packageVersion}}-{{browser}}.zip" },
  hooks: {
    "entrypoints:grouped": (_wxt, groups) => buildPopupAlone(groups),
    // The HTML pages' builds (the background is built on its own).
    "vite:build:extendConfig": (entrypoints, config) => {
      if (!entrypoints.every((entrypoint) => entrypoint.inputPath.endsWith(".html"))) return;
      if (entrypoints.every(isPopup)) config.plugins = [...(config.plugins ?? []), inlinePopupCss()];
      config.build ??= {};
      // Chromium has modulepreload: no polyfill (it would be one more file every page loads first).
      config.build.modulePreload = {
        ...(typeof config.build.modulePreload === "object" ? config.build.modulePreload : {}),
        polyfill: false,
      };
    },
  },
  manifest: ({ browser, mode }) => ({
    name: "__MSG_extName__",
    description: "__MSG_extDescription__",
    default_locale: "zh_CN",
    ...(browser === "firefox" || mode === "store" ? {} : { key: EXTENSION_PUBLIC_KEY }),
    ...(browser === "firefox"
      ? {
          // An ID of its own for AMO signing and storage; 115 is the first ESR with storage.session.
          browser_specific_settings: {
            gecko: {
              id: FIREFOX_EXTENSION_ID,
              strict_min_version: "115.0",
              data_collection_permissions: { required: ["none"] },
            },
          },
        }
      : {}),
    // notifications: 办税权限变更 notices; alarms: the badge refresh every 30 minutes;
    // nativeMessaging: the popup starts the companion through the host `taxauth service install` registers.
    permissions: ["storage", "notifications", "alarms", "nativeMessaging"],
    // No host_permissions on purpose. With a host permission Chromium bypasses CORS for the
    // extension's requests and then sends no Origin header on GET (/healthz, /api/captcha,
    // /api/session); the companion refuses every request without our exact Origin (only desktop
    // programs go without one, on the desktop socket, and they must pair).
    // Without it, fetches are plain CORS requests: Origin always set, the companion answers the
    // preflight and Access-Control-Allow-Origin for this extension only.
    action: { default_title: "__MSG_extName__" },
  }),
});
