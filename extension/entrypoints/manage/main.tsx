import "../../styles/base.css";
import { render } from "preact";
import { ManagePage } from "./ManagePage.js";

const root = document.getElementById("app");
if (root) render(<ManagePage />, root);
