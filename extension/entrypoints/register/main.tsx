import "../../styles/base.css";
import { render } from "preact";
import { RegisterPage } from "./RegisterPage.js";

const root = document.getElementById("app");
if (root) render(<RegisterPage />, root);
