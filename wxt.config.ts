import { defineConfig } from "wxt";
import { EXTENSION_PUBLIC_KEY } from "./shared/extension-identity.js";

// The extension: popup (login), full-tab pages (register, forgot password, options).
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
    permissions: ["storage"],
    host_permissions: ["http://127.0.0.1/*"],
    action: { default_title: "__MSG_extName__" },
  },
});
