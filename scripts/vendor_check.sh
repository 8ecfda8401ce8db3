#!/usr/bin/env bash
# Verify the vendored assets against static/vendor/SHA256SUMS (written by vendor_refresh.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../static/vendor"
sha256sum -c --quiet --strict SHA256SUMS
echo "static/vendor: all checksums OK"
