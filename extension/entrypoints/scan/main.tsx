import "../../styles/base.css";
import { render } from "preact";
import { ScanPage } from "./ScanPage.js";

const root = document.getElementById("app");
if (root) render(<ScanPage />, root);
