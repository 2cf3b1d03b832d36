import "./PageShell.css";
import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import { t } from "../lib/i18n.js";
import { useCompanionCompat, useVersionCheck } from "../lib/use-companion-compat.js";
import { useCompanionWatch } from "../lib/use-companion-status.js";
import { OfflineBanner } from "./OfflineBanner.js";
import { UntrustedBanner } from "./UntrustedBanner.js";
import { VersionMismatch } from "./VersionMismatch.js";

interface PageShellProps {
  title: string;
  /** For tables. */
  wide?: boolean;
  /** The options page works without the companion (its address is set there): nothing is disabled. */
  onOptionsPage?: boolean;
  children: ComponentChildren;
}

/**
 * The frame of a full-tab page: product bar, page title, one card of content (`wide` for tables).
 * It watches the companion: while it does not answer, a banner says so and the page's controls
 * are disabled (what is shown may be stale), until it answers again. Likewise while it does not
 * trust this browser yet (paired from the popup) or speaks another protocol than this extension.
 */
export function PageShell({ title, wide, onOptionsPage = false, children }: PageShellProps) {
  const status = useCompanionWatch();
  const compat = useCompanionCompat();
  useVersionCheck({ onOpen: true });
  const blocked = !status.reachable || compat.kind !== "ok";
  useEffect(() => {
    document.title = `${title} - ${t("extName")}`;
  }, [title]);
  return (
    <div class="page">
      <header class="page-bar">
        <span class="page-brand">{t("brand")}</span>
        <span class="page-product">{t("extName")}</span>
      </header>
      <main class={wide ? "page-card page-card--wide" : "page-card"}>
        <h1 class="page-title">{title}</h1>
        {!status.reachable ? (
          <OfflineBanner status={status} onOptionsPage={onOptionsPage} />
        ) : compat.kind === "untrusted" ? (
          <UntrustedBanner />
        ) : compat.kind === "mismatch" ? (
          <VersionMismatch compat={compat} banner />
        ) : null}
        {/* A disabled fieldset disables every control inside; what was typed stays. */}
        <fieldset class="page-content" disabled={blocked && !onOptionsPage} data-testid="page-content">
          {children}
        </fieldset>
      </main>
      <footer class="page-footer">{t("pageFooter")}</footer>
    </div>
  );
}
