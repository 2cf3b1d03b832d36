import { useState } from "preact/hooks";
import { ChangePasswordForm } from "../../components/ChangePasswordForm.js";
import { t } from "../../lib/i18n.js";

interface PasswordSectionProps {
  open: boolean;
  onOpen(open: boolean): void;
  onChanged(): void;
}

/**
 * 登录密码: 【修改密码】 opens the form (the current password, then a new one by the registration
 * rules). Afterwards the person's other logins (browsers, desktop clients) have ended; this one stays.
 */
export function PasswordSection({ open, onOpen, onChanged }: PasswordSectionProps) {
  const [changed, setChanged] = useState(false);
  return (
    <section class="security-section" data-testid="security-password">
      <div class="security-section-head">
        <h2 class="section-title">{t("fieldLoginPassword")}</h2>
        <span class="security-section-status muted">{t("securityPasswordNote")}</span>
        {open ? null : (
          <button
            type="button"
            class="button button--secondary button--small"
            data-testid="security-password-open"
            onClick={() => {
              setChanged(false);
              onOpen(true);
            }}
          >
            {t("changePasswordTitle")}
          </button>
        )}
      </div>
      {changed ? (
        <p class="notice notice--ok" role="status" data-testid="security-password-notice">
          {t("passwordChangedNotice")}
        </p>
      ) : null}
      {open ? (
        <ChangePasswordForm
          formClass="form-grid security-form"
          submitClass="button button--primary"
          oldLabel="fieldCurrentPassword"
          oldPlaceholder="currentPasswordPlaceholder"
          onChanged={() => {
            setChanged(true);
            onChanged();
          }}
          // The refusal dropped the stored token: the page then asks to log in again by itself.
          onSessionEnded={() => undefined}
          actions={
            <button
              type="button"
              class="button button--secondary"
              data-testid="security-password-cancel"
              onClick={() => onOpen(false)}
            >
              {t("cancel")}
            </button>
          }
        />
      ) : null}
    </section>
  );
}
