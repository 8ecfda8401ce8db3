#!/usr/bin/env bash
# Installs the Debian packages Onsite needs (as root), or says exactly what is missing.
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "Missing system packages: ${missing[*]}" >&2
echo "Install them with: sudo apt-get install ${missing[*]}" >&2
echo "(gettext compiles translations; chromium runs the browser tests; fonts-noto-cjk," >&2
echo " libharfbuzz-subset0 and pango render Chinese PDFs; poppler-utils and zbar-tools" >&2
echo " read those PDFs and their QR codes in tests.)" >&2
exit 1
