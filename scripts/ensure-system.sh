#!/usr/bin/env bash
# Make sure LibreOffice (Writer, headless) with its Python bridge, the fonts the templates use,
# poppler's tools (make preview, and the yardstick the thumbnail test compares with), Debian's chromium (the review page's browser tests) and npm (axe-core) are
# installed. As root it installs what is missing with apt-get; otherwise it prints the exact
# command and stops.
set -euo pipefail

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
fc-list 2>/dev/null | grep -q "Liberation Serif" || missing+=(fonts-liberation2)
fc-list 2>/dev/null | grep -q "DejaVu Sans" || missing+=(fonts-dejavu-core)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
# The review page's browser tests drive the system chromium (never a downloaded one) and get axe-core from npm.
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# The conversion workers talk to LibreOffice through its UNO bridge, which lives in the system Python.
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || missing+=(python3-uno)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Saknas: ${missing[*]}. Kör som root och sedan make igen:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "Installerar ${missing[*]} med apt-get …"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Only what is missing: the machine's own Node.js and npm must not be replaced by Debian's.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
