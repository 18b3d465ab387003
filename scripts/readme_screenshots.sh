#!/usr/bin/env bash
# Render the README's calendar, timeline and map screenshots with `relplan export png`, on the small
# demo built around a fixed day, so anyone can make them again. (The window shots come from
# scripts/screenshot.py.)
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
day=2026-11-27
relplan demo --out "$work/demo.json" --seed 1 --today "$day"
relplan --db "$work/demo.relplan" import "$work/demo.json"
relplan --db "$work/demo.relplan" export png --view calendar --today "$day" \
  --out docs/screenshots/calendar.png
relplan --db "$work/demo.relplan" export png --view timeline --today "$day" \
  --out docs/screenshots/timeline.png
relplan --db "$work/demo.relplan" export png --view graph --focus OPS-2027.05 --depth 2 \
  --today "$day" --out docs/screenshots/map.png
