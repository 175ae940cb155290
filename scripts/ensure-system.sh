#!/usr/bin/env bash
# Make sure LibreOffice (Writer, headless) with its Python bridge, the fonts the templates use and
# poppler's tools are installed. As root it installs what is missing with
# apt-get; otherwise it prints the exact command and stops.
set -euo pipefail

packages=(libreoffice-writer-nogui python3-uno fonts-liberation2 fonts-dejavu-core poppler-utils)

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
fc-list 2>/dev/null | grep -q "Liberation Serif" || missing+=(fonts-liberation2)
fc-list 2>/dev/null | grep -q "DejaVu Sans" || missing+=(fonts-dejavu-core)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
# The conversion workers talk to LibreOffice through its UNO bridge, which lives in the system Python.
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || missing+=(python3-uno)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Saknas: ${missing[*]}. Kör som root och sedan make igen:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends ${packages[*]}" >&2
  exit 1
fi

echo "Installerar ${missing[*]} med apt-get …"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
