import { useEffect, useState } from "preact/hooks";
import { shanghaiDateTimeText } from "../../../shared/dates.js";
import { connectEvents } from "../../lib/events.js";
import { t } from "../../lib/i18n.js";
import { openForgotPassword } from "../../lib/tabs.js";

/**
 * 账户已被锁定, while the popup is open: wrong passwords (someone else's, maybe) locked the account
 * this session belongs to. Says until when, and the way out (【忘记密码】, or the tax hall).
 */
export function AccountLockNotice() {
  const [lockedUntil, setLockedUntil] = useState<string | null>(null);
  useEffect(() => {
    const connection = connectEvents({ onAccountLocked: (event) => setLockedUntil(event.lockedUntil) });
    return () => connection.close();
  }, []);
  if (!lockedUntil) return null;
  return (
    <section class="popup-section" role="alert" data-testid="account-locked">
      <div class="popup-section-head">
        <h2 class="popup-section-title">{t("accountLockedTitle")}</h2>
      </div>
      <p class="notice notice--warn">{t("accountLockedNotice", shanghaiDateTimeText(Date.parse(lockedUntil)))}</p>
      <button
        type="button"
        class="button button--link"
        data-testid="account-locked-forgot"
        onClick={openForgotPassword}
      >
        {t("forgotPassword")}
      </button>
    </section>
  );
}
