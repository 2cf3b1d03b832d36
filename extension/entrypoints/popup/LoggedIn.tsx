import { useState } from "preact/hooks";
import { QrCodeIcon } from "../../components/QrCodeIcon.js";
import { companion, type PersonSummary } from "../../lib/companion-client.js";
import { describeError } from "../../lib/describe-error.js";
import { t } from "../../lib/i18n.js";
import { openScan, openSecurity } from "../../lib/tabs.js";
import { useAction } from "../../lib/use-action.js";
import { AccountLockNotice } from "./AccountLockNotice.js";
import { ManagedUnitsCard } from "./ManagedUnitsCard.js";
import { MyGrants } from "./MyGrants.js";
import { PairedClients } from "./PairedClients.js";
import { PairingRequests } from "./PairingRequests.js";
import { RecentEvents } from "./RecentEvents.js";
import { TrustBrowserForm } from "./TrustBrowserForm.js";

/**
 * The logged-in person (masked) with 【扫一扫】 (approve a 扫码登录 elsewhere): a notice when the account
 * has just been locked by wrong passwords, pending desktop pairing
 * requests first (when there are any), 企业办税权限 (for those who manage units), 我的办税权限, 最近动态
 * (collapsed), 已配对的客户端,
 * 信任其他浏览器 (collapsed: a Firefox install's pairing code), the account (with 【安全中心】: phone,
 * password, recent logins), and 【退出登录】.
 */
export function LoggedIn({ person, onLoggedOut }: { person: PersonSummary; onLoggedOut(notice: string | null): void }) {
  const [clientsVersion, setClientsVersion] = useState(0);

  const logout = useAction(
    async () => {
      await companion.logout();
      onLoggedOut(null);
    },
    {
      onError: (err) => {
        // The token is dropped locally whatever happened, so this popup is logged out too; the
        // login form says what went wrong (the companion down, or its refusal).
        onLoggedOut(describeError(err));
        return null;
      },
    },
  );

  return (
    <section class="logged-in" data-testid="logged-in">
      <div class="logged-in-head">
        <p class="logged-in-welcome">
          {t("loggedInWelcome")}
          <strong data-testid="person-name">{person.maskedName}</strong>
        </p>
        <button
          type="button"
          class="button button--secondary button--small scan-open"
          data-testid="open-scan"
          onClick={openScan}
        >
          <QrCodeIcon size={14} />
          {t("openScan")}
        </button>
      </div>
      <AccountLockNotice />
      <PairingRequests onApproved={() => setClientsVersion((n) => n + 1)} />
      <ManagedUnitsCard />
      <MyGrants />
      <RecentEvents />
      <PairedClients version={clientsVersion} />
      <TrustBrowserForm />
      <dl class="summary">
        <dt>{t("fieldLoginName")}</dt>
        <dd data-testid="person-login-name">{person.loginName}</dd>
        <dt>{t("fieldDocType")}</dt>
        <dd>{person.docType}</dd>
        <dt>{t("fieldDocNumber")}</dt>
        <dd>{person.maskedDocNumber}</dd>
        <dt>{t("fieldPhone")}</dt>
        <dd>{person.maskedPhone ?? t("phoneNotBound")}</dd>
      </dl>
      <div class="account-links">
        <button type="button" class="button button--link" data-testid="open-security" onClick={openSecurity}>
          {t("openSecurity")}
        </button>
      </div>
      <button
        type="button"
        class="button button--primary button--block"
        data-testid="logout"
        disabled={logout.busy}
        onClick={() => logout.run()}
      >
        {t("logout")}
      </button>
    </section>
  );
}
