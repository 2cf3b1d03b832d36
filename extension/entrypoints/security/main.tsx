import "../../styles/base.css";
import { render } from "preact";
import { SecurityPage } from "./SecurityPage.js";

const root = document.getElementById("app");
if (root) render(<SecurityPage />, root);
