#!/usr/bin/env bash
# The system tool the report tests need: poppler-utils' `pdftotext`, from Debian's packages, to
# read back the text of the PDF status report. Installs it only when `pdftotext` is missing.
set -euo pipefail

if command -v pdftotext >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-reports: 'pdftotext' is missing and apt-get is not available; install poppler-utils" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends poppler-utils
command -v pdftotext >/dev/null
