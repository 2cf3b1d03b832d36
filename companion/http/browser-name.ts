/** "Chrome 131 · Linux" from the browser's User-Agent: how 扫码登录's approver and 最近登录 name this browser. */
export function browserName(userAgent = ""): string {
  // Edge's User-Agent names Chrome too: look for Edg first.
  const edge = userAgent.match(/Edg\/(\d+)/);
  const chrome = userAgent.match(/Chrome\/(\d+)/);
  const browser = edge ? `Edge ${edge[1]}` : chrome ? `Chrome ${chrome[1]}` : "浏览器";
  const os = [
    ["Windows", "Windows"],
    ["Mac OS X", "macOS"],
    ["CrOS", "ChromeOS"],
    ["Linux", "Linux"],
  ].find(([marker]) => userAgent.includes(marker!))?.[1];
  return os ? `${browser} · ${os}` : browser;
}
