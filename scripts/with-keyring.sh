#!/usr/bin/env bash
# Runs a command with a reachable OS keychain (Secret Service) on Linux.
#
#   with-keyring.sh [--isolated] COMMAND [ARGS...]
#
# If the session bus already offers org.freedesktop.secrets (a desktop session), the command runs
# as is. Otherwise it runs with a private D-Bus session bus and an unlocked gnome-keyring-daemon,
# so keytar works on a headless machine; both are stopped when the command ends, and SIGINT or
# SIGTERM are passed on to the command so it can shut down gracefully. The keyring file stays in
# the usual place (~/.local/share/keyrings), so secrets survive restarts; its password is
# $TAXAUTH_KEYRING_PASSWORD (default "taxauth"); the file is readable by you only.
# --isolated (tests): always a private bus, with a throwaway keyring directory.
set -euo pipefail

isolated=0
if [ "${1:-}" = "--isolated" ]; then
  isolated=1
  shift
fi

secret_service_on_bus() {
  local method
  for method in ListNames ListActivatableNames; do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      "org.freedesktop.DBus.$method" 2>/dev/null | grep -q '"org.freedesktop.secrets"'; then
      return 0
    fi
  done
  return 1
}

if [ "$(uname -s)" != Linux ] ||
  { [ "$isolated" = 0 ] && [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && secret_service_on_bus; }; then
  export TAXAUTH_KEYRING=system
  exec "$@"
fi

for tool in dbus-daemon dbus-send gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null; then
    echo "缺少 $tool：请运行 node scripts/bootstrap.mjs（或 sudo apt-get install dbus gnome-keyring）" >&2
    exit 3
  fi
done

keyring_home="${XDG_DATA_HOME:-}"
scratch=""
if [ "$isolated" = 1 ]; then
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/taxauth-keyring.XXXXXX")
  keyring_home="$scratch"
fi

bus_pid=""
keyring_pid=""
child=""
cleanup() {
  [ -z "$keyring_pid" ] || kill "$keyring_pid" 2>/dev/null || true
  [ -z "$bus_pid" ] || kill "$bus_pid" 2>/dev/null || true
  [ -z "$scratch" ] || rm -rf "$scratch"
}
trap cleanup EXIT

# The bus and the keyring run as children of this script (no --fork), so they are reaped here.
address_file=$(mktemp "${TMPDIR:-/tmp}/taxauth-bus.XXXXXX")
dbus-daemon --session --nofork --nopidfile --print-address=3 3>"$address_file" 2>/dev/null &
bus_pid=$!
for _ in $(seq 100); do
  [ -s "$address_file" ] && break
  sleep 0.02
done
DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$address_file")
rm -f "$address_file"
export DBUS_SESSION_BUS_ADDRESS

# Only the keyring daemon uses the scratch directory; the command keeps its own environment.
printf '%s' "${TAXAUTH_KEYRING_PASSWORD:-taxauth}" |
  XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
keyring_pid=$!
for _ in $(seq 100); do
  secret_service_on_bus && break
  sleep 0.05
done

export TAXAUTH_KEYRING=private
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM
trap 'kill -INT "$child" 2>/dev/null || true' INT
status=0
# `wait` returns early when a trapped signal arrives: keep waiting until the command has ended.
while kill -0 "$child" 2>/dev/null; do
  wait "$child" && status=0 || status=$?
done
exit "$status"
