#!/usr/bin/env bash
# System libraries riskcheck needs beyond Python packages (Debian/Ubuntu):
# Pango and HarfBuzz for WeasyPrint's PDF rendering, cairo for the Word report's
# charts (CairoSVG), DejaVu fonts so reports look the same everywhere, and, with --browser (everything the test suite needs), Chromium
# for the web form's browser tests, a Java runtime for Spark's local mode (the
# fairness engine's Spark tests) unless a java is already on PATH, and LibreOffice
# Writer without its GUI (about 50 packages, 200 MB installed) to check that the Word
# report opens: the tests convert it to PDF with `soffice --headless`.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 fonts-dejavu-core)
if [[ "${1:-}" == "--browser" ]]; then
  packages+=(chromium poppler-utils libreoffice-writer-nogui)
  if ! command -v java >/dev/null 2>&1; then
    packages+=(default-jre-headless)
  fi
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
