import { useState } from "preact/hooks";
import { RadioGroup } from "../../components/RadioGroup.js";
import { t } from "../../lib/i18n.js";

export type RegisterMethod = "hall-code" | "face";

/** 选择注册方式, then 阅读并同意用户注册协议. */
export function AgreementStep({ onAgree }: { onAgree(method: RegisterMethod): void }) {
  const [agreed, setAgreed] = useState(false);
  const [method, setMethod] = useState<RegisterMethod>("hall-code");
  return (
    <section class="step-body">
      <RadioGroup
        name="registerMethod"
        label={t("registerMethod")}
        options={[
          { value: "face", label: t("registerMethodFace") },
          { value: "hall-code", label: t("registerMethodHallCode") },
        ]}
        value={method}
        onChange={(value: RegisterMethod) => setMethod(value)}
        hint={method === "face" ? t("registerMethodFaceHint") : t("registerMethodHallCodeHint")}
      />
      <h2 class="section-title">{t("agreementTitle")}</h2>
      <div class="agreement" data-testid="agreement-text">
        {/* The first two paragraphs speak of the chosen method: what to bring, what is checked. */}
        <p>{method === "face" ? t("agreementP1Face") : t("agreementP1HallCode")}</p>
        <p>{method === "face" ? t("agreementP2Face") : t("agreementP2HallCode")}</p>
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
          onClick={() => onAgree(method)}
        >
          {t("next")}
        </button>
      </div>
    </section>
  );
}
