import "../../styles/base.css";
import { render } from "preact";
import { t } from "../../lib/i18n.js";
import { getSessionToken, mayHaveSessionToken } from "../../lib/session-token.js";
import { Popup } from "./Popup.js";
import "./popup.css";

document.title = t("extName");
const root = document.getElementById("app");
const show = (hasToken: boolean) => {
  if (root) render(<Popup hasToken={hasToken} />, root);
};
// The stored token decides the first screen: a logged-out opening goes straight to the login form,
// with no 加载中 in between. When the hint (session-token.ts) says none is stored, the form renders
// at once, without waiting for storage.session's answer; otherwise the token is read first.
if (mayHaveSessionToken()) {
  void getSessionToken()
    .catch(() => null)
    .then((token) => show(token !== null));
} else show(false);
