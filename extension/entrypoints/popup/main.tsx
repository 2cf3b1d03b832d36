import "../../styles/app.css";
import { render } from "preact";
import { t } from "../../lib/i18n.js";
import { Popup } from "./Popup.js";

document.title = t("extName");
const root = document.getElementById("app");
if (root) render(<Popup />, root);
