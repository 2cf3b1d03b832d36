import { QR_CLIENT_KIND_LABELS } from "../../../shared/qr-login/contract.js";
import type { LoginRecord } from "../../lib/companion-client.js";
import { type MessageKey, t } from "../../lib/i18n.js";

const METHOD_LABELS: Record<LoginRecord["method"], MessageKey> = {
  password: "loginMethodPassword",
  qr: "loginMethodQr",
};

const STATE_LABELS: Record<LoginRecord["state"], MessageKey> = {
  current: "loginStateCurrent",
  live: "loginStateLive",
  ended: "loginStateEnded",
};

/** 密码登录 or 扫码登录. */
export const loginMethodText = (login: LoginRecord): string => t(METHOD_LABELS[login.method]);

/** 本次登录, 在线 or 已退出. */
export const loginStateText = (login: LoginRecord): string => t(STATE_LABELS[login.state]);

/** Which client: 浏览器扩展 · Chrome 131 · Linux, or 桌面客户端 · 财务室电脑 (the name approved at pairing). */
export const loginClientText = (login: LoginRecord): string =>
  `${QR_CLIENT_KIND_LABELS[login.clientKind]} · ${login.clientName}`;
