import { useEffect } from "preact/hooks";
import { svgDataUrl } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { useCountdown } from "../../lib/use-countdown.js";
import type { QrLoginState } from "../../lib/use-qr-login.js";

interface QrCodeBoxProps {
  state: QrLoginState;
  onRefresh(): void;
  /** The countdown reached 0. */
  onTimeUp(): void;
}

/**
 * The QR code itself, the seconds it has left, and what covers it once it can no longer be used:
 * 二维码已过期 / 已取消 (with 【刷新】), 正在登录, or why it could not be shown.
 */
export function QrCodeBox({ state, onRefresh, onTimeUp }: QrCodeBoxProps) {
  const qr = "qr" in state ? state.qr : null;
  return (
    <div class="qr-box">
      <div class="qr-frame">
        {qr ? (
          <img
            class={state.phase === "waiting" || state.phase === "scanned" ? "qr-image" : "qr-image qr-image--faded"}
            src={svgDataUrl(qr.qrSvg)}
            alt={t("qrLoginImageAlt")}
            data-testid="qr-login-image"
            data-ref={qr.ref}
            width={176}
            height={176}
          />
        ) : null}
        <QrCover state={state} onRefresh={onRefresh} />
      </div>
      {qr && (state.phase === "waiting" || state.phase === "scanned") ? (
        <Countdown key={qr.ref} expiresAt={qr.expiresAt} onTimeUp={onTimeUp} />
      ) : null}
    </div>
  );
}

function Countdown({ expiresAt, onTimeUp }: { expiresAt: number; onTimeUp(): void }) {
  const [left] = useCountdown(Math.max(0, (expiresAt - Date.now()) / 1000));
  useEffect(() => {
    if (left === 0) onTimeUp();
  }, [left === 0]);
  return (
    <p class="qr-countdown muted small" data-testid="qr-login-countdown">
      {t("qrLoginCountdown", left)}
    </p>
  );
}

function QrCover({ state, onRefresh }: { state: QrLoginState; onRefresh(): void }) {
  const refresh = (
    <button
      type="button"
      class="button button--primary button--small"
      data-testid="qr-login-refresh"
      onClick={onRefresh}
    >
      {t("qrLoginRefresh")}
    </button>
  );
  switch (state.phase) {
    case "starting":
      return <div class="qr-cover qr-cover--plain muted">{t("qrLoginPreparing")}</div>;
    case "waiting":
      return null;
    case "scanned":
      // What it means is said under the code (扫描成功, who scanned): here only the mark.
      return (
        <div class="qr-cover" data-testid="qr-login-cover">
          <span class="qr-cover-mark qr-cover-mark--ok" aria-hidden="true">
            ✓
          </span>
        </div>
      );
    case "confirmed":
      return (
        <div class="qr-cover" data-testid="qr-login-cover">
          <strong>{t("qrLoginConfirmed")}</strong>
        </div>
      );
    case "expired":
      return (
        <div class="qr-cover" role="alert" data-testid="qr-login-cover">
          <strong>{t("qrLoginExpired")}</strong>
          {refresh}
        </div>
      );
    case "cancelled":
      return (
        <div class="qr-cover" role="alert" data-testid="qr-login-cover">
          <strong>{t("qrLoginCancelled")}</strong>
          {refresh}
        </div>
      );
    case "failed":
      return (
        <div class="qr-cover qr-cover--error" role="alert" data-testid="qr-login-cover">
          <span data-testid="qr-login-error">{state.message}</span>
          {refresh}
        </div>
      );
  }
}
