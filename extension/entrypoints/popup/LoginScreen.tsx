import { useState } from "preact/hooks";
import { KeyboardIcon } from "../../components/KeyboardIcon.js";
import { QrCodeIcon } from "../../components/QrCodeIcon.js";
import type { PersonSummary } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";
import { lazyComponent } from "../../lib/lazy.js";
import { LoginForm } from "./LoginForm.js";

// 扫码登录 (its socket client, key pairs and QR pictures) loads when it is chosen.
const QrLogin = lazyComponent(() => import("./QrLogin.js").then((module) => module.QrLogin));

type Method = "password" | "qr";

/**
 * 实名登录: 账号密码登录 by default; the switch in the top right corner changes to 扫码登录 and back
 * (as the seed's login screen does).
 */
export function LoginScreen({
  notice,
  onLoggedIn,
}: {
  notice: string | null;
  /** `passwordChangeRequired`: logged in with a one-time password from the hall (never by 扫码登录). */
  onLoggedIn(person: PersonSummary, passwordChangeRequired: boolean): void;
}) {
  const [method, setMethod] = useState<Method>("password");
  const other: Method = method === "password" ? "qr" : "password";
  const switchLabel = t(other === "qr" ? "loginSwitchToQr" : "loginSwitchToPassword");
  return (
    <section class="login" data-testid="login-screen" data-method={method}>
      <div class="login-head">
        <h2 class="login-title">{t("loginTitle")}</h2>
        <span class="login-sep">·</span>
        <span class="login-tab login-tab--active" data-testid="login-method">
          {t(method === "password" ? "loginTabPassword" : "loginTabQr")}
        </span>
        <button
          type="button"
          class="login-switch"
          data-testid="login-method-toggle"
          title={switchLabel}
          aria-label={switchLabel}
          onClick={() => setMethod(other)}
        >
          {other === "qr" ? <QrCodeIcon /> : <KeyboardIcon />}
          <span class="login-switch-text">{t(other === "qr" ? "loginTabQr" : "loginTabPassword")}</span>
        </button>
      </div>
      {method === "password" ? (
        <LoginForm notice={notice} onLoggedIn={onLoggedIn} />
      ) : (
        <QrLogin onLoggedIn={(person) => onLoggedIn(person, false)} />
      )}
    </section>
  );
}
