import "./PageShell.css";
import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import { t } from "../lib/i18n.js";

/** The frame of a full-tab page: product bar, page title, one card of content (`wide` for tables). */
export function PageShell({ title, wide, children }: { title: string; wide?: boolean; children: ComponentChildren }) {
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
        {children}
      </main>
      <footer class="page-footer">{t("pageFooter")}</footer>
    </div>
  );
}
