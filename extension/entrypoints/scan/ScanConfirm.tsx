import { useState } from "preact/hooks";
import { QR_CLIENT_KIND_LABELS } from "../../../shared/qr-login/contract.js";
import { FormError } from "../../components/FormError.js";
import { CompanionError, companion, type QrScanResult } from "../../lib/companion-client.js";
import { describeError } from "../../lib/describe-error.js";
import { shanghaiDateTime } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { useAction } from "../../lib/use-action.js";
import { useCountdown } from "../../lib/use-countdown.js";

/** Refusals after which this request cannot be decided any more: only a new scan helps. */
const FINAL_CODES = new Set(["QR_NOT_FOUND", "QR_EXPIRED", "QR_ALREADY_USED", "QR_CANCELLED", "QR_KEY_MISMATCH"]);

interface ScanConfirmProps {
  request: QrScanResult;
  onDecided(decision: "confirmed" | "cancelled"): void;
  onRescan(): void;
}

/** Who asks to log in as you, from which client and when, and for how long: 【确认登录】 or 【取消】. */
export function ScanConfirm({ request, onDecided, onRescan }: ScanConfirmProps) {
  const [left] = useCountdown(request.expiresIn);
  const [final, setFinal] = useState(false);
  const over = left === 0 || final;

  const decide = useAction(
    async (confirm: boolean) => {
      if (confirm) await companion.qrConfirm(request.ref);
      else await companion.qrCancel(request.ref);
      onDecided(confirm ? "confirmed" : "cancelled");
    },
    {
      onError: (err) => {
        if (err instanceof CompanionError && err.code && FINAL_CODES.has(err.code)) setFinal(true);
        return describeError(err);
      },
    },
  );

  return (
    <section class="scan-confirm" data-testid="scan-confirm">
      <h2 class="scan-confirm-title">{t("scanConfirmTitle")}</h2>
      <dl class="summary summary--center">
        <dt>{t("scanConfirmClient")}</dt>
        <dd data-testid="scan-confirm-client">
          {QR_CLIENT_KIND_LABELS[request.clientKind]}：{request.clientName}
        </dd>
        <dt>{t("scanConfirmTime")}</dt>
        <dd data-testid="scan-confirm-time">{shanghaiDateTime(request.requestedAt)}</dd>
        <dt>{t("scanConfirmLeftLabel")}</dt>
        <dd data-testid="scan-confirm-left">{left > 0 ? t("scanConfirmLeft", left) : t("qrLoginExpired")}</dd>
      </dl>
      <p class="notice notice--warn" data-testid="scan-confirm-warning">
        {t("scanConfirmWarning")}
      </p>
      <FormError message={decide.error ?? (left === 0 ? t("scanConfirmExpired") : null)} testId="scan-confirm-error" />
      <div class="actions actions--center">
        {over ? (
          <button type="button" class="button button--primary" data-testid="scan-again" onClick={onRescan}>
            {t("scanAgain")}
          </button>
        ) : (
          <>
            <button
              type="button"
              class="button button--secondary"
              data-testid="scan-cancel"
              disabled={decide.busy}
              onClick={() => decide.run(false)}
            >
              {t("cancel")}
            </button>
            <button
              type="button"
              class="button button--primary"
              data-testid="scan-confirm-login"
              disabled={decide.busy}
              onClick={() => decide.run(true)}
            >
              {t("scanConfirmButton")}
            </button>
          </>
        )}
      </div>
    </section>
  );
}
