import { useState } from "preact/hooks";
import { mayResetDeclarationPassword } from "../../../shared/api/declaration.js";
import { FormError } from "../../components/FormError.js";
import { LoadError } from "../../components/LoadError.js";
import { PhoneNotBound } from "../../components/PhoneNotBound.js";
import { Steps } from "../../components/Steps.js";
import { companion } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { useResource } from "../../lib/use-resource.js";
import { DeclarationResetDone } from "./DeclarationResetDone.js";
import { DeclarationResetForm } from "./DeclarationResetForm.js";

/**
 * 重置申报密码 for one unit: the reset page, then 修改完成. Opened from the unit's detail by its
 * 法定代表人 or 财务负责人; reached directly (reload, address) it checks the same things again.
 */
export function DeclarationResetScreen({ tin, onBack }: { tin: string; onBack(): void }) {
  const [done, setDone] = useState(false);
  const loaded = useResource(() => Promise.all([companion.unitDetail(tin), companion.session()]), [tin]);
  const [detail, session] = loaded.data ?? [null, null];

  const refusal = detail && !mayResetDeclarationPassword(detail.roles) ? t("declarationNotOfficer") : null;
  const maskedPhone = session?.person.maskedPhone;

  return (
    <section data-testid="declaration-reset" data-tin={tin}>
      <div class="detail-head">
        <button type="button" class="button button--link" data-testid="declaration-reset-leave" onClick={onBack}>
          {t("backToUnitDetail")}
        </button>
        <h2 class="section-title detail-title">
          {t("declarationReset")}
          {detail ? <span class="muted detail-subtitle"> · {detail.unit.name}</span> : null}
        </h2>
      </div>
      <LoadError error={loaded.error} onRetry={loaded.reload} />
      {!loaded.data && loaded.loading ? <p class="muted">{t("loadingData")}</p> : null}
      {detail && refusal ? <FormError message={refusal} testId="declaration-reset-refused" /> : null}
      {detail && !refusal && maskedPhone === null ? <PhoneNotBound testId="declaration-reset-refused" /> : null}
      {detail && !refusal && maskedPhone ? (
        <>
          <Steps steps={[t("declarationResetStepForm"), t("declarationResetStepDone")]} current={done ? 1 : 0} />
          {done ? (
            <DeclarationResetDone unitName={detail.unit.name} onBack={onBack} />
          ) : (
            <DeclarationResetForm
              tin={detail.unit.tin}
              unitName={detail.unit.name}
              maskedPhone={maskedPhone}
              onDone={() => setDone(true)}
            />
          )}
        </>
      ) : null}
    </section>
  );
}
