#!/usr/bin/env bash
# CI: install what the real-keyring test needs (a Secret Service: gnome-keyring on a private
# D-Bus session bus, plus libsecret's secret-tool), from Debian's packages, only if missing.
# The test itself (tests/e2e/test_sync_keyring.py) starts and stops its own bus and daemon.
set -euo pipefail

need=()
command -v gnome-keyring-daemon >/dev/null || need+=(gnome-keyring)
command -v dbus-daemon >/dev/null || need+=(dbus)
command -v dbus-launch >/dev/null || need+=(dbus-x11)
command -v secret-tool >/dev/null || need+=(libsecret-tools)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "setup-keyring: apt-get not found; install ${need[*]} by hand" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
