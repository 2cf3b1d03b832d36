import "../../styles/base.css";
import { render } from "preact";
import { OptionsPage } from "./OptionsPage.js";

const root = document.getElementById("app");
if (root) render(<OptionsPage />, root);
