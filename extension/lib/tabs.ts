import { browser } from "wxt/browser";

/** Full-tab pages of the extension; the popup is too small for multi-step forms. */
export function openRegister(): void {
  void browser.tabs.create({ url: browser.runtime.getURL("/register.html") });
}

export function openForgotPassword(): void {
  void browser.tabs.create({ url: browser.runtime.getURL("/forgot-password.html") });
}

export function openOptions(): void {
  void browser.runtime.openOptionsPage();
}

/** 企业办税权限, optionally opened on one unit. */
export function openManage(tin?: string): void {
  const hash = tin ? `#unit=${encodeURIComponent(tin)}` : "";
  void browser.tabs.create({ url: `${browser.runtime.getURL("/manage.html")}${hash}` });
}

/** 扫一扫: approve a 扫码登录 shown by another client (camera or a picture of the QR code). */
export function openScan(): void {
  void browser.tabs.create({ url: browser.runtime.getURL("/scan.html") });
}

/** 安全中心: the logged-in person's phone, password, recent logins and paired clients. */
export function openSecurity(): void {
  void browser.tabs.create({ url: browser.runtime.getURL("/security.html") });
}
