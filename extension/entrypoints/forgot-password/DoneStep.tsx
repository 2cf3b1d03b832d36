import { t } from "../../lib/i18n.js";

/** 密码已重置，账号已解锁. */
export function DoneStep() {
  return (
    <section class="step-body done" data-testid="forgot-done">
      <div class="done-mark" aria-hidden="true">
        ✓
      </div>
      <h2 class="done-title">{t("forgotDoneTitle")}</h2>
      <p class="muted">{t("forgotDoneNext")}</p>
    </section>
  );
}
