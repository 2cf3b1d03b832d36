import "./Offline.css";
import { type CompanionCompat, extensionBuild } from "../lib/companion-compat.js";
import { t } from "../lib/i18n.js";

type Mismatch = Extract<CompanionCompat, { kind: "mismatch" }>;

/**
 * The companion speaks another protocol than this extension was built for (one of the two was
 * updated and not the other): nothing would work reliably, so the popup shows this instead of its
 * view and a full-tab page shows it over its content, with both versions.
 */
export function VersionMismatch({ compat, banner = false }: { compat: Mismatch; banner?: boolean }) {
  const own = extensionBuild();
  return (
    <section class={banner ? "notice notice--warn" : "offline"} role="alert" data-testid="version-mismatch">
      <h2 class="offline-title">{t("versionMismatch")}</h2>
      <p data-testid="version-mismatch-versions">
        {t(
          "versionMismatchVersions",
          compat.companionVersion,
          compat.companionProtocol,
          own.version,
          own.protocolVersion,
        )}
      </p>
      <p class="offline-still">{t("versionMismatchHint")}</p>
    </section>
  );
}
