#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine with Node 20: installs the system packages taxauth
# needs (with sudo when not root) and the npm packages (npm ci), skipping whatever is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

# libsecret-1-dev + pkg-config + a C++ toolchain: keytar is built from source (no prebuilt download).
# gnome-keyring + dbus: the OS keychain on a machine without a desktop session.
# chromium (+ its zh_CN locale, for the Chinese UI) and a CJK font: end-to-end tests and legible
# screenshots. fonts-hanazono + fonts-babelstone-han: names with CJK Ext B–H ideographs drawn, not
# shown as code points (the 生僻字 picker). unicode-data: the Unihan database. postgresql: office mode's shared store (the tests
# start a private cluster of their own; nothing is set up system-wide).
PACKAGES=(libsecret-1-dev pkg-config build-essential python3 gnome-keyring dbus chromium chromium-l10n fonts-noto-cjk
  fonts-hanazono fonts-babelstone-han unicode-data postgresql)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "缺少系统软件包: ${missing[*]}（此脚本只支持 Debian/Ubuntu 的 apt-get，请手动安装）" >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "安装系统软件包: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "需要 Node.js 20 或更高版本（当前 $(node -v)）" >&2
  exit 1
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.taxauth-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "安装 npm 依赖 (npm ci)"
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
fi
