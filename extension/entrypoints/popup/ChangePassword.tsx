import { ChangePasswordForm } from "../../components/ChangePasswordForm.js";
import { companion, type PersonSummary } from "../../lib/companion-client.js";
import { t } from "../../lib/i18n.js";

/**
 * 修改密码, the only thing a session opened with a one-time password from the tax hall may do: the
 * one-time password, then a new one by the registration rules (twice). 退出登录 leaves it for later.
 * Loaded only when needed, so its rules (zod) need not wait for the popup's first screen.
 */
export function ChangePassword({
  person,
  onChanged,
  onLoggedOut,
}: {
  person: PersonSummary;
  onChanged(): void;
  onLoggedOut(notice: string | null): void;
}) {
  const logout = async () => {
    await companion.logout().catch(() => undefined);
    onLoggedOut(null);
  };

  return (
    <section class="login" data-testid="change-password">
      <div class="login-head">
        <h2 class="login-title">{t("changePasswordTitle")}</h2>
        <span class="login-sep">·</span>
        <span class="login-tab">{person.maskedName}</span>
      </div>
      <p class="muted">{t("changePasswordIntro")}</p>
      <ChangePasswordForm
        formClass="login-form"
        submitClass="button button--primary button--block"
        oldLabel="fieldOldPassword"
        oldPlaceholder="oldPasswordPlaceholder"
        onChanged={onChanged}
        onSessionEnded={() => onLoggedOut(t("sessionEnded"))}
      >
        <div class="login-links">
          <button type="button" class="button button--link" data-testid="change-password-logout" onClick={logout}>
            {t("logout")}
          </button>
        </div>
      </ChangePasswordForm>
    </section>
  );
}
