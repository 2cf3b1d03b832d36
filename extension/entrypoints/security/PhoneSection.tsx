import { useState } from "preact/hooks";
import { t } from "../../lib/i18n.js";
import { PhoneForm } from "./PhoneForm.js";

interface PhoneSectionProps {
  maskedPhone: string | null;
  open: boolean;
  onOpen(open: boolean): void;
  onBound(): void;
}

/**
 * 手机号码: the bound phone (masked) with 【更换手机】, or 未绑定 with why it matters and 【绑定手机】.
 * Without one, 忘记密码 and 重置申报密码 cannot reach the person.
 */
export function PhoneSection({ maskedPhone, open, onOpen, onBound }: PhoneSectionProps) {
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section class="security-section" data-testid="security-phone">
      <div class="security-section-head">
        <h2 class="section-title">{t("fieldPhone")}</h2>
        <span class="security-section-status" data-testid="security-phone-status">
          {maskedPhone ?? t("phoneNotBound")}
        </span>
        {open ? null : (
          <button
            type="button"
            class="button button--secondary button--small"
            data-testid="security-phone-open"
            onClick={() => {
              setNotice(null);
              onOpen(true);
            }}
          >
            {maskedPhone ? t("changePhone") : t("bindPhone")}
          </button>
        )}
      </div>
      {maskedPhone ? null : (
        <p class="notice notice--warn" data-testid="security-phone-missing">
          {t("securityPhoneMissing")}
        </p>
      )}
      {notice ? (
        <p class="notice notice--ok" role="status" data-testid="security-phone-notice">
          {notice}
        </p>
      ) : null}
      {open ? (
        <PhoneForm
          replacing={maskedPhone}
          onCancel={() => onOpen(false)}
          onBound={(newPhone) => {
            setNotice(maskedPhone ? t("phoneChangedNotice", newPhone, maskedPhone) : t("phoneBoundNotice", newPhone));
            onBound();
          }}
        />
      ) : null}
    </section>
  );
}
