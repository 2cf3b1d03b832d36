import "../../styles/base.css";
import { render } from "preact";
import { ForgotPasswordPage } from "./ForgotPasswordPage.js";

const root = document.getElementById("app");
if (root) render(<ForgotPasswordPage />, root);
