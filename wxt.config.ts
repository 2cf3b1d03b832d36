import { defineConfig } from "wxt";
import { EXTENSION_PUBLIC_KEY } from "./shared/extension-identity.js";

// The extension: popup (login, 我的办税权限), full-tab pages (register, forgot password, options,
// 企业办税权限), and a background service worker (grant notifications, the toolbar badge).
// Its manifest key pins the extension ID, which the companion trusts as the only browser origin.
export default defineConfig({
  srcDir: "extension",
  publicDir: "extension/public",
  outDir: ".output",
  imports: false,
  manifest: {
    name: "__MSG_extName__",
    description: "__MSG_extDescription__",
    default_locale: "zh_CN",
    key: EXTENSION_PUBLIC_KEY,
    // notifications: 办税权限变更 notices; alarms: the badge refresh every 30 minutes.
    permissions: ["storage", "notifications", "alarms"],
    // No host_permissions on purpose. With a host permission Chromium bypasses CORS for the
    // extension's requests and then sends no Origin header on GET (/healthz, /api/captcha,
    // /api/session); the companion refuses every request without our exact Origin (SPEC §7).
    // Without it, fetches are plain CORS requests: Origin always set, the companion answers the
    // preflight and Access-Control-Allow-Origin for this extension only.
    action: { default_title: "__MSG_extName__" },
  },
});
