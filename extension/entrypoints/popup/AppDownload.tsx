import { LoadError } from "../../components/LoadError.js";
import { companion } from "../../lib/companion-client.js";
import { svgDataUrl } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { useResource } from "../../lib/use-resource.js";

/** 手机端下载: the QR code that downloads the 个人所得税 app, and its address. */
export function AppDownload({ onBack }: { onBack(): void }) {
  const download = useResource(() => companion.appDownload(), []);
  const data = download.data;
  return (
    <div class="qr-login" data-testid="app-download-panel">
      <h2 class="qr-panel-title">{t("appDownload")}</h2>
      <div class="qr-box">
        <div class="qr-frame">
          {data ? (
            <img
              class="qr-image"
              src={svgDataUrl(data.appQrSvg)}
              alt={t("appDownloadImageAlt")}
              data-testid="app-download-image"
              width={176}
              height={176}
            />
          ) : (
            <div class="qr-cover qr-cover--plain muted">{download.loading ? t("loadingData") : null}</div>
          )}
        </div>
      </div>
      <LoadError error={download.error} onRetry={download.reload} testId="app-download-error" />
      <p class="qr-login-hint muted">{t("appDownloadHint")}</p>
      {data ? (
        <p class="qr-login-hint small">
          <a href={data.appUrl} target="_blank" rel="noreferrer" data-testid="app-download-url">
            {data.appUrl}
          </a>
        </p>
      ) : null}
      <div class="login-links login-links--center">
        <button type="button" class="button button--link" data-testid="app-download-back" onClick={onBack}>
          {t("appDownloadBack")}
        </button>
      </div>
    </div>
  );
}
