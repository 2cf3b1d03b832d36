import { PageShell } from "../../components/PageShell.js";
import { t } from "../../lib/i18n.js";
import { useSessionToken } from "../../lib/use-session-token.js";
import { SecurityCenter } from "./SecurityCenter.js";

/** 安全中心, for the person logged in in the popup; it follows logins and logouts made there. */
export function SecurityPage() {
  const token = useSessionToken();
  return (
    <PageShell title={t("securityTitle")} wide>
      {token === undefined ? <p class="muted">{t("loading")}</p> : null}
      {token === null ? (
        <p class="notice" data-testid="security-login-needed">
          {t("securityLoginNeeded")}
        </p>
      ) : null}
      {/* Keyed by the session: a login as someone else starts afresh. */}
      {token ? <SecurityCenter key={token} /> : null}
    </PageShell>
  );
}
