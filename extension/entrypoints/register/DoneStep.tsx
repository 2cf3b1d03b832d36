import { loginByDocumentAllowed } from "../../../shared/identity/documents.js";
import type { PersonSummary } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";

/** 注册成功: how this person can log in from now on. */
export function DoneStep({ person }: { person: PersonSummary }) {
  return (
    <section class="step-body done" data-testid="register-done">
      <div class="done-mark" aria-hidden="true">
        ✓
      </div>
      <h2 class="done-title">{t("registerDoneTitle")}</h2>
      <p data-testid="register-done-how">
        {loginByDocumentAllowed(person.docType) ? t("registerDoneHowAll") : t("registerDoneHowOther", person.docType)}
      </p>
      <dl class="summary summary--center">
        <dt>{t("fieldName")}</dt>
        <dd>{person.maskedName}</dd>
        <dt>{t("fieldLoginName")}</dt>
        <dd data-testid="register-done-login-name">{person.loginName}</dd>
        <dt>{t("fieldPhone")}</dt>
        <dd>{person.maskedPhone ?? ""}</dd>
      </dl>
      <p class="muted">{t("registerDoneNext")}</p>
    </section>
  );
}
