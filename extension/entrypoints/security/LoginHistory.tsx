import { LoadError } from "../../components/LoadError.js";
import { MoreRows } from "../../components/MoreRows.js";
import { companion, type LoginRecord } from "../../lib/companion-client.js";
import { shanghaiDateTime } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { usePages } from "../../lib/use-pages.js";
import { loginClientText, loginMethodText, loginStateText } from "./login-text.js";

/** One login: when (Asia/Shanghai), how, on which client, and whether its session is still live. */
function LoginRow({ login }: { login: LoginRecord }) {
  return (
    <tr data-testid="security-login" data-state={login.state}>
      <td class="nowrap" data-testid="security-login-at">
        {shanghaiDateTime(login.at)}
      </td>
      <td data-testid="security-login-method">{loginMethodText(login)}</td>
      <td class="security-login-client" data-testid="security-login-client">
        {loginClientText(login)}
      </td>
      <td>
        <span class={`login-state login-state--${login.state}`}>{loginStateText(login)}</span>
      </td>
    </tr>
  );
}

/** 最近登录, newest first, 50 at most (the companion keeps no more), a page at a time. */
export function LoginHistory({ version }: { version: number }) {
  const logins = usePages((page, signal) => companion.securityLogins(page, signal), [version]);
  const rows = logins.last && logins.items;
  return (
    <section class="security-section" data-testid="security-logins">
      <div class="security-section-head">
        <h2 class="section-title">{t("loginsTitle")}</h2>
      </div>
      <p class="muted small">{t("loginsNote")}</p>
      <LoadError error={logins.error} onRetry={logins.reload} testId="security-logins-error" />
      {rows && rows.length > 0 ? (
        <table class="security-table">
          <thead>
            <tr>
              <th scope="col">{t("loginsColumnTime")}</th>
              <th scope="col">{t("loginsColumnMethod")}</th>
              <th scope="col">{t("loginsColumnClient")}</th>
              <th scope="col">{t("loginsColumnState")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((login) => (
              <LoginRow key={login.id} login={login} />
            ))}
          </tbody>
        </table>
      ) : null}
      <MoreRows pages={logins} testId="security-logins-more" />
    </section>
  );
}
