#!/usr/bin/env bash
# Vendors the front-end libraries into the embedded static files, with their
# licences beside them. Government intranets have no internet: nothing may
# load from a CDN, so the files live in the repository and in the binary.
#
#   scripts/update-frontend.sh        # fetch the pinned versions from npm
set -euo pipefail
cd "$(dirname "$0")/.."

ECHARTS_VERSION=6.1.0
HTMX_VERSION=2.0.11   # pinned: htmx 4 changes inheritance and form semantics

dest=internal/web/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() { # package version
  (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null && mkdir -p "$1" && tar -xzf "$1"-*.tgz -C "$1" --strip-components=1 && rm "$1"-*.tgz)
}

fetch echarts "$ECHARTS_VERSION"
fetch htmx.org "$HTMX_VERSION"

mkdir -p "$dest"
cp "$tmp/echarts/dist/echarts.min.js" "$dest/echarts.min.js"
cp "$tmp/echarts/LICENSE" "$dest/LICENSE.echarts"
[ -f "$tmp/echarts/NOTICE" ] && cp "$tmp/echarts/NOTICE" "$dest/NOTICE.echarts"
cp "$tmp/htmx.org/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$tmp/htmx.org/LICENSE" "$dest/LICENSE.htmx"
cat > "$dest/VERSIONS" <<VERSIONS
echarts $ECHARTS_VERSION (Apache-2.0) from the npm registry
htmx.org $HTMX_VERSION (0BSD) from the npm registry
refreshed by scripts/update-frontend.sh
VERSIONS
ls -l "$dest"
