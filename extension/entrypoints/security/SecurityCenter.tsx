import { useState } from "preact/hooks";
import { LoadError } from "../../components/LoadError.js";
import { companion } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { useResource } from "../../lib/use-resource.js";
import { LoginHistory } from "./LoginHistory.js";
import { PairedClientsSection } from "./PairedClientsSection.js";
import { PasswordSection } from "./PasswordSection.js";
import { PhoneSection } from "./PhoneSection.js";
import { PreviousLogin } from "./PreviousLogin.js";

/** Which form is open: one at a time (each may show a captcha, and there is one 验证码 field). */
export type OpenForm = "phone" | "password" | null;

/**
 * The person's own security: 上次登录, 手机号码 (绑定 / 更换), 登录密码 (修改), 最近登录 and the
 * paired desktop clients. A change reloads what it changes: the phone the overview, a new password
 * the logins (the other sessions ended).
 */
export function SecurityCenter() {
  const [open, setOpen] = useState<OpenForm>(null);
  const [overviewVersion, setOverviewVersion] = useState(0);
  const [loginsVersion, setLoginsVersion] = useState(0);
  const overview = useResource((signal) => companion.securityOverview(signal), [overviewVersion]);
  const data = overview.data;

  return (
    <div class="security" data-testid="security-center">
      <LoadError error={overview.error} onRetry={overview.reload} testId="security-error" />
      {!data && overview.loading ? <p class="muted">{t("loadingData")}</p> : null}
      {data ? (
        <>
          <PreviousLogin login={data.previousLogin} />
          <PhoneSection
            maskedPhone={data.maskedPhone}
            open={open === "phone"}
            onOpen={(opened) => setOpen(opened ? "phone" : null)}
            onBound={() => {
              setOpen(null);
              setOverviewVersion((n) => n + 1);
            }}
          />
          <PasswordSection
            open={open === "password"}
            onOpen={(opened) => setOpen(opened ? "password" : null)}
            onChanged={() => {
              setOpen(null);
              setLoginsVersion((n) => n + 1);
            }}
          />
          <LoginHistory version={loginsVersion} />
          <PairedClientsSection />
        </>
      ) : null}
    </div>
  );
}
