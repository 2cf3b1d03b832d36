import "./PhoneNotBound.css";
import { t } from "../lib/i18n.js";
import { openSecurity } from "../lib/tabs.js";

/**
 * The seed's 「您账户的手机号码尚未绑定，请先进入安全中心绑定手机」, with the way there: 【前往安全中心】.
 * `testId` names the sentence itself.
 */
export function PhoneNotBound({ testId }: { testId: string }) {
  return (
    <div class="form-error phone-not-bound" role="alert">
      <span data-testid={testId}>{t("declarationPhoneNotBound")}</span>
      <button
        type="button"
        class="button button--secondary button--small"
        data-testid="open-security"
        onClick={openSecurity}
      >
        {t("goToSecurity")}
      </button>
    </div>
  );
}
