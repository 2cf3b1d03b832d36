import { QR_CLIENT_KIND_LABELS } from "../../../shared/qr-login/contract.js";
import type { QrScanResult } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";

/** What 确认登录 or 取消 did, and 【继续扫一扫】. */
export function ScanDone({
  decision,
  request,
  onAgain,
}: {
  decision: "confirmed" | "cancelled";
  request: QrScanResult;
  onAgain(): void;
}) {
  const client = `${QR_CLIENT_KIND_LABELS[request.clientKind]}“${request.clientName}”`;
  return (
    <section class="done" data-testid="scan-done" data-decision={decision}>
      <div class={decision === "confirmed" ? "done-mark" : "done-mark done-mark--muted"} aria-hidden="true">
        {decision === "confirmed" ? "✓" : "×"}
      </div>
      <h2 class="done-title" data-testid="scan-done-title">
        {t(decision === "confirmed" ? "scanDoneConfirmed" : "scanDoneCancelled")}
      </h2>
      <p class="muted">{t(decision === "confirmed" ? "scanDoneConfirmedHint" : "scanDoneCancelledHint", client)}</p>
      <div class="actions actions--center">
        <button type="button" class="button button--secondary" data-testid="scan-again" onClick={onAgain}>
          {t("scanAgainAfterDone")}
        </button>
      </div>
    </section>
  );
}
