#!/usr/bin/env bash
# Runs a command with a reachable OS keychain (Secret Service) on Linux.
#
#   with-keyring.sh [--isolated] COMMAND [ARGS...]
#
# If the session bus already offers org.freedesktop.secrets (a desktop session), the command runs
# as is. Otherwise it runs inside a private D-Bus session with gnome-keyring-daemon unlocked, so
# keytar works on a headless machine. The keyring file stays in the usual place
# (~/.local/share/keyrings), so secrets survive restarts; its password is $TAXAUTH_KEYRING_PASSWORD
# (default "taxauth"), the file itself is only readable by you.
# --isolated (tests): always a private session, with a throwaway keyring directory.
set -euo pipefail

if [ "${1:-}" = "--inside" ]; then
  shift
  printf '%s' "${TAXAUTH_KEYRING_PASSWORD:-taxauth}" |
    XDG_DATA_HOME="${TAXAUTH_KEYRING_HOME:-${XDG_DATA_HOME:-}}" \
      gnome-keyring-daemon --unlock --components=secrets >/dev/null
  export TAXAUTH_KEYRING=private
  exec "$@"
fi

isolated=0
if [ "${1:-}" = "--isolated" ]; then
  isolated=1
  shift
fi

secret_service_reachable() {
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || return 1
  local method
  for method in ListNames ListActivatableNames; do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      "org.freedesktop.DBus.$method" 2>/dev/null | grep -q '"org.freedesktop.secrets"'; then
      return 0
    fi
  done
  return 1
}

if [ "$(uname -s)" != Linux ] || { [ "$isolated" = 0 ] && secret_service_reachable; }; then
  export TAXAUTH_KEYRING=system
  exec "$@"
fi

for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null; then
    echo "缺少 $tool：请运行 bash scripts/bootstrap.sh（或 sudo apt-get install dbus gnome-keyring）" >&2
    exit 3
  fi
done

if [ "$isolated" = 1 ]; then
  keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/taxauth-keyring.XXXXXX")
  trap 'rm -rf "$keyring_home"' EXIT
  # Only the keyring daemon uses this directory; the command keeps its own environment.
  TAXAUTH_KEYRING_HOME="$keyring_home" dbus-run-session -- bash "$0" --inside "$@" \
    2> >(grep -v 'Failed to set fd limit' >&2)
else
  exec dbus-run-session -- bash "$0" --inside "$@" 2> >(grep -v 'Failed to set fd limit' >&2)
fi
