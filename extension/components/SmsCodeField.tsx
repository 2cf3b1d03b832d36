import { useState } from "preact/hooks";
import { CompanionError } from "../lib/companion-client.js";
import { describeError } from "../lib/describe-error.js";
import { t } from "../lib/i18n.js";
import { useAction } from "../lib/use-action.js";
import { useCountdown } from "../lib/use-countdown.js";
import type { FieldState } from "../lib/use-field.js";
import { TextField } from "./TextField.js";

interface SmsCodeFieldProps {
  field: FieldState;
  /**
   * Sends a code; resolves to the seconds before another may be sent and the number it went to
   * (null: "the bound phone", when the companion will not say which, or whether there is one).
   */
  send(): Promise<{ resendAfter: number; maskedPhone: string | null }>;
  /** Checked before sending (e.g. the phone number); a message stops the send. */
  canSend?(): boolean;
  /** A code was already sent to the bound phone by the previous step: start with this cooldown. */
  initialCooldown?: number;
  sentByPreviousStep?: boolean;
}

/** Where the last code went: a masked number, or the bound phone. */
type SentTo = { maskedPhone: string | null } | null;

/** 短信验证码 with 【获取验证码】 and its resend countdown. */
export function SmsCodeField({ field, send, canSend, initialCooldown = 0, sentByPreviousStep }: SmsCodeFieldProps) {
  const [remaining, startCountdown] = useCountdown(initialCooldown);
  const [sentTo, setSentTo] = useState<SentTo>(sentByPreviousStep ? { maskedPhone: null } : null);
  const sending = useAction(
    async () => {
      const result = await send();
      setSentTo({ maskedPhone: result.maskedPhone });
      startCountdown(result.resendAfter);
    },
    {
      onError: (error) => {
        const retryAfter = error instanceof CompanionError ? error.body?.retryAfter : undefined;
        if (retryAfter) startCountdown(retryAfter);
        return describeError(error);
      },
    },
  );
  const onSend = () => {
    if (!canSend || canSend()) void sending.run();
  };

  const label = remaining > 0 ? t("smsResendIn", remaining) : sentTo ? t("smsResend") : t("smsSend");
  return (
    <TextField
      id="smsCode"
      label={t("fieldSmsCode")}
      field={field}
      placeholder={t("fieldSmsCodePlaceholder")}
      inputMode="numeric"
      maxLength={6}
      autoComplete="one-time-code"
      hint={
        <>
          {sentTo ? (
            <p class="field-hint" data-testid="sms-sent-to">
              {sentTo.maskedPhone ? t("smsSentTo", sentTo.maskedPhone) : t("smsSentToBoundPhone")}
            </p>
          ) : null}
          {sending.error ? (
            <p class="field-error" data-testid="sms-error">
              {sending.error}
            </p>
          ) : null}
        </>
      }
      addon={
        <button
          type="button"
          class="button button--secondary"
          data-testid="sms-send"
          disabled={sending.busy || remaining > 0}
          onClick={onSend}
        >
          {label}
        </button>
      }
    />
  );
}
