import { t } from "../../lib/i18n.js";

/** 修改完成: the new 申报密码 is in force; what that did to the old sessions and locks. */
export function DeclarationResetDone({ unitName, onBack }: { unitName: string; onBack(): void }) {
  return (
    <section class="step-body done" data-testid="declaration-reset-done">
      <div class="done-mark" aria-hidden="true">
        ✓
      </div>
      <h2 class="done-title" data-testid="declaration-reset-done-title">
        {t("declarationResetDoneTitle")}
      </h2>
      <p>{t("declarationResetDoneEffect", unitName)}</p>
      <p class="muted">{t("declarationResetDoneNext")}</p>
      <div class="actions actions--center">
        <button type="button" class="button button--primary" data-testid="declaration-reset-back" onClick={onBack}>
          {t("backToUnitDetail")}
        </button>
      </div>
    </section>
  );
}
