#!/usr/bin/env bash
# The system tools the calendar and graph export tests need: Graphviz's `dot`, from Debian's
# packages. Installs it only when `dot` is missing; everything else the tests use comes from PyPI.
set -euo pipefail

if command -v dot >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-calendar: 'dot' is missing and apt-get is not available; install Graphviz" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends graphviz
command -v dot >/dev/null
