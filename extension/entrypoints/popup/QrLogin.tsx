import { useState } from "preact/hooks";
import type { PersonSummary } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { useQrLogin } from "../../lib/use-qr-login.js";
import { AppDownload } from "./AppDownload.js";
import { QrCodeBox } from "./QrCodeBox.js";

/**
 * 扫码登录: the QR code to scan with a logged-in client's 扫一扫, what became of it (扫描成功 with who
 * scanned, masked; 二维码已过期 or 已取消 with 【刷新】), and 【手机端下载】 for the app's QR code.
 */
export function QrLogin({ onLoggedIn }: { onLoggedIn(person: PersonSummary): void }) {
  const { state, refresh, expire } = useQrLogin(onLoggedIn);
  const [download, setDownload] = useState(false);

  if (download) return <AppDownload onBack={() => setDownload(false)} />;
  return (
    <div class="qr-login" data-testid="qr-login" data-phase={state.phase}>
      <QrCodeBox state={state} onRefresh={refresh} onTimeUp={expire} />
      {state.phase === "scanned" ? (
        <div class="qr-login-status" role="status" data-testid="qr-login-scanned">
          <strong>{t("qrLoginScanned")}</strong>
          <span>{t("qrLoginScannedConfirm")}</span>
          <span class="muted small" data-testid="qr-login-approver">
            {t("qrLoginScannedBy", state.approverName)}
          </span>
        </div>
      ) : (
        <p class="qr-login-hint muted" data-testid="qr-login-hint">
          {t("qrLoginHint")}
        </p>
      )}
      <div class="login-links login-links--center">
        <button type="button" class="button button--link" data-testid="app-download" onClick={() => setDownload(true)}>
          {t("appDownload")}
        </button>
      </div>
    </div>
  );
}
