import "../../styles/base.css";
import { render } from "preact";
import { t } from "../../lib/i18n.js";
import { getSessionToken } from "../../lib/session-token.js";
import { Popup } from "./Popup.js";

document.title = t("extName");
const root = document.getElementById("app");
// The stored token decides the first screen, so it is read before the first render: a logged-out
// opening goes straight to the login form, with no 加载中 in between.
void getSessionToken()
  .catch(() => null)
  .then((token) => {
    if (root) render(<Popup hasToken={token !== null} />, root);
  });
