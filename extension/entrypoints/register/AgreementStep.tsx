import { useState } from "preact/hooks";
import { t } from "../../lib/i18n.js";

/** 阅读并同意用户注册协议. */
export function AgreementStep({ onAgree }: { onAgree(): void }) {
  const [agreed, setAgreed] = useState(false);
  return (
    <section class="step-body">
      <h2 class="section-title">{t("agreementTitle")}</h2>
      <div class="agreement" data-testid="agreement-text">
        <p>{t("agreementP1")}</p>
        <p>{t("agreementP2")}</p>
        <p>{t("agreementP3")}</p>
        <p>{t("agreementP4")}</p>
      </div>
      <label class="checkbox">
        <input
          type="checkbox"
          id="agree"
          name="agree"
          checked={agreed}
          onChange={(event) => setAgreed(event.currentTarget.checked)}
        />
        {t("agreementAccept")}
      </label>
      <div class="actions">
        <button
          type="button"
          class="button button--primary"
          data-testid="agreement-next"
          disabled={!agreed}
          onClick={onAgree}
        >
          {t("next")}
        </button>
      </div>
    </section>
  );
}
