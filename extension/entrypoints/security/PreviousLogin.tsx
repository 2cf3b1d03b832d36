import type { LoginRecord } from "../../lib/companion-client.js";
import { shanghaiDateTime } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { loginClientText, loginMethodText } from "./login-text.js";

/** 上次登录: the newest login other than this one — a login the person does not know of stands out. */
export function PreviousLogin({ login }: { login: LoginRecord | null }) {
  return (
    <p class="notice security-previous" data-testid="security-previous-login">
      {login
        ? t("previousLogin", shanghaiDateTime(login.at), loginMethodText(login), loginClientText(login))
        : t("previousLoginNone")}
    </p>
  );
}
