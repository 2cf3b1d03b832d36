import type { Plugin } from "vite";
import { defineConfig } from "wxt";
import { EXTENSION_PUBLIC_KEY } from "./shared/extension-identity.js";

/**
 * The popup must be interactive within 2× an empty extension page. Its first screen (the login
 * form) is its entry's static import graph (what it needs later is imported dynamically). Gathered
 * into one chunk with Preact, the popup loads two files (its entry and this chunk) instead of one
 * per shared module. The other pages load the same chunk for Preact and the shared components.
 */
function popupFirstScreenChunk(): { plugin: Plugin; test(id: string): boolean } {
  const modules = new Set<string>();
  const plugin: Plugin = {
    name: "taxauth:popup-first-screen",
    buildEnd() {
      const entry = [...this.getModuleIds()].find((id) => /[\\/]entrypoints[\\/]popup[\\/]main\.tsx$/.test(id));
      const queue = entry ? [entry] : [];
      for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
        if (modules.has(id)) continue;
        modules.add(id);
        queue.push(...(this.getModuleInfo(id)?.importedIds ?? []));
      }
      if (entry) modules.delete(entry);
    },
  };
  // WXT's per-page module (empty in a production build) would otherwise be an empty chunk of its own.
  return { plugin, test: (id) => modules.has(id) || id.includes("wxt-html-plugins") };
}

// The extension: popup (login, 我的办税权限), full-tab pages (register, forgot password, options,
// 企业办税权限), and a background service worker (grant notifications, the toolbar badge).
// Its manifest key pins the extension ID, which the companion trusts as the only browser origin.
export default defineConfig({
  srcDir: "extension",
  publicDir: "extension/public",
  outDir: ".output",
  imports: false,
  hooks: {
    // The HTML pages' build (the background is built on its own).
    "vite:build:extendConfig": (entrypoints, config) => {
      if (!entrypoints.some((entrypoint) => entrypoint.name === "popup")) return;
      const firstScreen = popupFirstScreenChunk();
      config.plugins = [...(config.plugins ?? []), firstScreen.plugin];
      config.build ??= {};
      // Chromium has modulepreload: no polyfill (it would be one more file every page loads first).
      config.build.modulePreload = {
        ...(typeof config.build.modulePreload === "object" ? config.build.modulePreload : {}),
        polyfill: false,
      };
      config.build.rolldownOptions ??= {};
      const output = config.build.rolldownOptions.output ?? {};
      if (Array.isArray(output)) throw new Error("wxt.config.ts: one output expected for the pages' build");
      config.build.rolldownOptions.output = {
        ...output,
        codeSplitting: { groups: [{ name: "ui", test: firstScreen.test }] },
      };
    },
  },
  manifest: {
    name: "__MSG_extName__",
    description: "__MSG_extDescription__",
    default_locale: "zh_CN",
    key: EXTENSION_PUBLIC_KEY,
    // notifications: 办税权限变更 notices; alarms: the badge refresh every 30 minutes.
    permissions: ["storage", "notifications", "alarms"],
    // No host_permissions on purpose. With a host permission Chromium bypasses CORS for the
    // extension's requests and then sends no Origin header on GET (/healthz, /api/captcha,
    // /api/session); the companion refuses every request without our exact Origin (only desktop
    // programs go without one, on the desktop socket, and they must pair).
    // Without it, fetches are plain CORS requests: Origin always set, the companion answers the
    // preflight and Access-Control-Allow-Origin for this extension only.
    action: { default_title: "__MSG_extName__" },
  },
});
